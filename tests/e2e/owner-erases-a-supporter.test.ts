import fs from 'node:fs/promises'
import { expect, test } from '@playwright/test'
import { createCampaign, createSignature } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, signaturesOf, signInThroughMailbox } from './support'

// An owner answers a supporter's request from the supporters list (decision 0045): export, then
// erase after a confirmation. A campaigner has neither button.

test.beforeEach(() => {
  test.slow()
})

test('an owner exports and then erases a supporter’s data; a campaigner cannot', async ({ page, browser }) => {
  const owner = await createOrganiser(e2eDb(), { role: 'owner' })
  const campaign = await createCampaign(e2eDb(), { organisation_id: owner.organisation.id })
  const email = `oleg.asks-${Date.now().toString(36)}@example.org`
  await createSignature(e2eDb(), { campaign_id: campaign.id, state: 'confirmed', country: 'RU', full_name: 'Oleg Asks', email })
  await createSignature(e2eDb(), { campaign_id: campaign.id, state: 'confirmed', country: 'GB', full_name: 'Polly Stays', email: `polly-${email}` })
  const supporters = `/admin/campaigns/${campaign.id}/supporters`
  await signInThroughMailbox(page, owner.email, { next: supporters })

  const oleg = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Oleg Asks' }) })
  const [download] = await Promise.all([page.waitForEvent('download'), oleg.getByRole('button', { name: 'Export everything held for Oleg Asks' }).click()])
  const exported = JSON.parse(await fs.readFile((await download.path())!, 'utf8'))
  expect(exported).toMatchObject({ email, signatures: [{ campaign: campaign.title, fullName: 'Oleg Asks', country: 'RU' }] })

  await page.goto(supporters)
  await oleg.getByRole('link', { name: 'Erase everything held for Oleg Asks' }).click()
  await expect(page.getByRole('heading', { level: 2, name: 'Erase this supporter’s data?' })).toBeVisible()
  await expectAxeClean(page)
  await page.getByRole('button', { name: 'Erase their data' }).click()
  await expect(page.getByText('Everything held for that address was erased.')).toBeVisible()
  await expect(page.getByRole('rowheader', { name: 'Oleg Asks' })).toHaveCount(0)
  await expect(page.getByRole('rowheader', { name: 'Erased' })).toHaveCount(1)
  await expect(page.getByRole('rowheader', { name: 'Polly Stays' })).toHaveCount(1)
  await expectAxeClean(page)
  const rows = await signaturesOf(campaign.id)
  expect(rows.map((r) => [r.full_name, r.state])).toEqual([
    ['', 'confirmed'],
    ['Polly Stays', 'confirmed'],
  ])

  // A campaigner of the same organisation sees the list without either button.
  const campaigner = await createOrganiser(e2eDb(), { role: 'campaigner', organisationId: owner.organisation.id })
  const context = await browser.newContext()
  const other = await context.newPage()
  await signInThroughMailbox(other, campaigner.email, { next: supporters })
  await expect(other.getByRole('rowheader', { name: 'Polly Stays' })).toHaveCount(1)
  await expect(other.getByRole('button', { name: /^Export everything/ })).toHaveCount(0)
  await expect(other.getByRole('link', { name: /^Erase everything/ })).toHaveCount(0)
  await context.close()
})
