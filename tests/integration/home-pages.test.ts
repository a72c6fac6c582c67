import { describe, expect, it } from 'vitest'
import { createCampaign } from '../support/factories'
import { callRoute } from '../support/routes'
import { loader } from '~/routes/_index'
import { getDb } from '~/utils/db.server'

// The home page lists the open campaigns a page at a time, so none drops out of reach.

describe('the home page', () => {
  it('lists the newest open campaigns first and says when there are no more', async () => {
    const campaign = await createCampaign(getDb())
    const first = await callRoute(loader, { url: '/' })
    expect(first.status).toBe(200)
    expect(first.data).toMatchObject({ page: 1, hasOlder: false, campaigns: [{ slug: campaign.slug }] })
    const past = await callRoute(loader, { url: '/?page=2' })
    expect(past.data).toMatchObject({ page: 2, hasOlder: false, campaigns: [] })
  })

  it('answers a page that is not a number in range with a 404, reading no more than three characters', async () => {
    for (const page of ['0', '-1', 'two', '1.5', '101', '9'.repeat(10_000), '01']) {
      const answer = await callRoute(loader, { url: `/?page=${encodeURIComponent(page)}` })
      expect(answer.status, page.slice(0, 10)).toBe(404)
    }
  })
})
