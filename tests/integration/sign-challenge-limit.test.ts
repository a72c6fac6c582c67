import { afterEach, describe, expect, it } from 'vitest'
import { loader as challengeLoader } from '~/routes/campaigns.$slug_.challenge'
import { getDb } from '~/utils/db.server'
import { resetEnv } from '~/utils/env.server'
import { createCampaign } from '../support/factories'
import { callRoute } from '../support/routes'

const challenge = (slug: string, ip: string) => callRoute(challengeLoader, { url: `/campaigns/${slug}/challenge`, params: { slug }, ip })

describe('the sign form’s proof-of-work challenge', () => {
  afterEach(() => {
    delete process.env.SIGN_RATE_LIMIT
    resetEnv()
  })

  it('is rate-limited per client, five challenges for each signature allowed, with a 429 and Retry-After', async () => {
    process.env.SIGN_RATE_LIMIT = '1'
    resetEnv()
    const campaign = await createCampaign(getDb())
    for (let i = 0; i < 5; i++) {
      const fresh = await challenge(campaign.slug, '192.0.2.41')
      expect(fresh.status).toBe(200)
      expect(fresh.headers.get('Cache-Control')).toBe('no-store')
      expect(fresh.data).toHaveProperty('parameters')
    }
    const refused = await challenge(campaign.slug, '192.0.2.41')
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(refused.headers.get('Cache-Control')).toBe('no-store')
    expect(refused.data).not.toHaveProperty('parameters')
    // Another client is not held back by the first.
    expect((await challenge(campaign.slug, '192.0.2.42')).status).toBe(200)
  })
})
