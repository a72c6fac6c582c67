import fs from 'node:fs'
import { expect, test } from '@playwright/test'
import { createCampaign, createSignature } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, signInThroughMailbox } from './support'

test.beforeEach(() => {
  test.slow()
})

/** A live campaign with two signers who agreed to be named, one who did not and one still pending, all from an hour ago. */
async function campaignToDeliver(organisationId: string) {
  const db = e2eDb()
  const campaign = await createCampaign(db, {
    organisation_id: organisationId,
    title: `Protect the wetlands ${Date.now().toString(36)}`,
    target_name: 'Maria Example',
    target_role: 'Minister of the Environment',
  })
  const anHourAgo = new Date(Date.now() - 3_600_000)
  const sign = (full_name: string, country: string, consent_show_name: boolean, state: 'confirmed' | 'pending' = 'confirmed') =>
    createSignature(db, {
      campaign_id: campaign.id,
      full_name,
      country,
      consent_show_name,
      state,
      created_at: anHourAgo,
      confirmed_at: state === 'confirmed' ? anHourAgo : null,
    })
  await sign('Ada Lovelace', 'GB', true)
  await sign('Фёдор Достоевский', 'RU', true)
  await sign('Hidden Hortensia', 'GB', false)
  await sign('Pending Percival', 'FR', true, 'pending')
  return campaign
}

test('an organiser builds a delivery pack, records the delivery and checks the code', async ({ page }) => {
  const organiser = await createOrganiser(e2eDb(), { role: 'owner' })
  const campaign = await campaignToDeliver(organiser.organisation.id)
  await signInThroughMailbox(page, organiser.email, { next: `/admin/campaigns/${campaign.id}/deliver` })
  await expect(page.getByRole('heading', { level: 2, name: 'Deliver the signatures' })).toBeVisible()
  await expect(page.getByText('No delivery pack has been built yet.')).toBeVisible()
  await expectAxeClean(page)

  // Build the pack.
  await page.getByLabel('Language of the PDF').selectOption('en')
  await page.getByRole('button', { name: 'Build a delivery pack' }).click()
  await expect(page.getByText('The delivery pack is ready')).toBeVisible()
  const packs = page.getByRole('region', { name: 'Delivery packs' })
  const row = packs.getByRole('row').nth(1)
  await expect(row.getByRole('cell').nth(0)).toHaveText('3')
  await expect(row.getByRole('cell').nth(1)).toHaveText('2')
  const code = (await row.locator('code').textContent())!.trim()
  expect(code).toMatch(/^[0-9A-F]{4}(-[0-9A-F]{4}){5}$/)
  await expectAxeClean(page)

  // Download its PDF.
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: `Download the PDF of pack ${code}` }).click()])
  expect(download.suggestedFilename()).toMatch(/\.pdf$/)
  const bytes = fs.readFileSync((await download.path())!)
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')
  expect(bytes.length).toBeGreaterThan(2000)
  expect((await page.request.get(`/admin/campaigns/${campaign.id}/deliver/999999/pdf`)).status()).toBe(404)

  // And its CSV: the named signers only.
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: `Download the CSV of pack ${code}` }).click()])
  const csvPath = (await csvDownload.path())!
  expect(fs.readFileSync(csvPath, 'utf8')).toBe('\uFEFFname,country\r\nAda Lovelace,GB\r\nФёдор Достоевский,RU\r\n')

  // Record the delivery and tell the signers who asked for updates.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  await page.getByLabel('Date of the delivery').fill(yesterday)
  await page.getByLabel('Delivered to').fill('Maria Example, Minister of the Environment')
  await page.getByLabel('How', { exact: true }).selectOption('in_person')
  await expect(page.getByLabel('Delivery pack', { exact: true })).toHaveValue(/\d+/)
  await page.getByLabel('Notes').fill('Handed over at the ministry gate.')
  await page.getByLabel('Tell signers who asked for updates that their signatures were delivered').check()
  await page.getByRole('button', { name: 'Record the delivery' }).click()
  await expect(page.getByText('The delivery is recorded')).toBeVisible()
  const deliveries = page.getByRole('region', { name: 'Recorded deliveries' })
  await expect(deliveries).toContainText('delivered to Maria Example, Minister of the Environment')
  await expect(deliveries).toContainText('3 signatures')
  await expect(deliveries).toContainText('signers notified')
  await expect(deliveries).toContainText(code)

  // The public check, from the pack's link: counts, no names.
  await row.getByRole('link', { name: 'Check the code' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Check a delivery pack' })).toBeVisible()
  await expect(page.getByRole('heading', { name: 'This code matches a delivery pack' })).toBeVisible()
  await expect(page.getByRole('link', { name: campaign.title })).toBeVisible()
  await expect(page.locator('dd').nth(2)).toHaveText('3')
  await expect(page.locator('dd').nth(3)).toHaveText('2')
  await expect(page.locator('body')).not.toContainText('Ada Lovelace')
  await expect(page.locator('body')).not.toContainText('Hortensia')
  await expectAxeClean(page)

  // Whoever holds the CSV can check it against the pack.
  await page.getByLabel('The pack’s CSV file').setInputFiles(csvPath)
  await page.getByRole('button', { name: 'Check the file' }).click()
  await expect(page.getByText('The file matches this pack exactly')).toBeVisible()

  // Typing the code by hand (lower case, spaces) finds the same pack; a wrong one is said to be wrong.
  await page.goto('/verify')
  await page.getByRole('textbox', { name: 'Verification code' }).fill(code.toLowerCase().replaceAll('-', ' '))
  await page.getByRole('button', { name: 'Check', exact: true }).click()
  await expect(page.getByRole('heading', { name: 'This code matches a delivery pack' })).toBeVisible()
  await page.getByRole('textbox', { name: 'Verification code' }).fill('0000-0000-0000-0000-0000-0000')
  await page.getByRole('button', { name: 'Check', exact: true }).click()
  await expect(page.getByText('No delivery pack has this code.')).toBeVisible()
  await expectAxeClean(page)
})
