import { expect, test, type Page } from '@playwright/test'
import { createCampaign, createSignature } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, signInThroughMailbox } from './support'

async function expectStat(page: Page, stat: string, text: string) {
  await expect(async () => {
    await page.reload()
    await expect(page.locator(`[data-stat="${stat}"]`)).toHaveText(text, { timeout: 500 })
  }).toPass({ timeout: 15_000, intervals: [250, 500, 1000] })
}

test('a campaigner reviews a flood of signatures and invalidates it', async ({ page }) => {
  test.slow()
  const organiser = await createOrganiser(e2eDb(), { role: 'campaigner' })
  const db = e2eDb()
  const campaign = await createCampaign(db, { organisation_id: organiser.organisation.id })
  // Real supporters, and a flood from one domain: 8 got through before the rule held the other 25.
  for (const email of ['ada@gmail.com', 'boris@yandex.ru', 'grace@amnesty.example']) {
    await createSignature(db, { campaign_id: campaign.id, state: 'confirmed', email })
  }
  const flood = Buffer.alloc(32, 7)
  for (let i = 0; i < 8; i++) await createSignature(db, { campaign_id: campaign.id, state: 'confirmed', email: `bot${i}@flood.example`, ip_hash: flood })
  for (let i = 8; i < 33; i++) {
    await createSignature(db, { campaign_id: campaign.id, state: 'held', hold_reasons: ['domain_rate'], email: `bot${i}@flood.example`, ip_hash: flood })
  }

  await signInThroughMailbox(page, organiser.email, { next: `/admin/campaigns/${campaign.id}` })
  await expectStat(page, 'confirmed', '11')
  await expect(page.locator('[data-stat="held"]')).toHaveText('25')

  await page.getByRole('navigation', { name: 'Campaign' }).getByRole('link', { name: 'Integrity' }).click()
  await expect(page.getByRole('heading', { level: 2, name: 'Held signatures' })).toBeVisible()
  await expect(page.locator('#held-heading + p')).toHaveText('25 signatures held')
  await expect(page.getByRole('table', { name: 'Held by reason' })).toContainText('Many from one domain')
  const domains = page.getByRole('table', { name: 'Email domains, last hour' })
  await expect(domains.getByRole('row', { name: /flood\.example/ })).toContainText('33')
  await expectAxeClean(page)

  // Review the flooding domain: preview, then invalidate exactly what was previewed.
  await page.getByRole('link', { name: 'Review signatures from flood.example' }).first().click()
  const preview = page.getByRole('region', { name: 'Check before you act' })
  await expect(preview).toContainText('This invalidates 33 signatures; the count goes down by 8.')
  await expectAxeClean(page)
  await preview.getByRole('button', { name: 'Invalidate 33 signatures' }).click()
  await expect(page.getByRole('status')).toContainText('Done: 33 signatures.')
  await expect(page.getByRole('table').filter({ hasText: 'Count change' })).toContainText('-8')

  // The dashboard: the real three remain counted; the flood is invalidated.
  await page.getByRole('navigation', { name: 'Campaign' }).getByRole('link', { name: 'Dashboard' }).click()
  // Reload only once the dashboard is there, or a slow navigation reloads the Integrity tab.
  await expect(page.locator('[data-stat="confirmed"]')).toBeVisible()
  await expectStat(page, 'confirmed', '3')
  await expect(page.locator('[data-stat="held"]')).toHaveText('0')
  await expect(page.locator('[data-stat="invalidated"]')).toHaveText('33')
  const audit = await db.selectFrom('audit_events').select('action').where('subject_id', '=', campaign.id).orderBy('id').execute()
  expect(audit.map((a) => a.action)).toEqual(['integrity.invalidate_started', 'integrity.invalidated'])
})
