import { expect, test, type Page } from '@playwright/test'
import { uniqueEmail } from '../support/factories'
import { confirmationLink, createOrganiser, e2eDb, expectAxeClean, expectCampaignCount, signInThroughMailbox, signPetition } from './support'

/** A valid 1×1 PNG: the hero image. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')

async function save(page: Page) {
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(page.getByRole('status')).toHaveText('Your changes are saved.')
}

// Long stories on a shared machine: each has its own budget.
test.describe.configure({ timeout: 240_000 })

test('an organiser creates a campaign in English and Russian, previews and publishes it, and a supporter signs it', async ({ page }) => {
  const run = Date.now().toString(36) + Math.random().toString(36).slice(2, 6)
  const organiser = await createOrganiser(e2eDb(), { role: 'campaigner' })
  await signInThroughMailbox(page, organiser.email)

  // The organisation has no campaigns yet.
  await expect(page.getByRole('heading', { level: 1, name: 'Campaigns' })).toBeVisible()
  await expect(page.getByText('No campaigns yet.')).toBeVisible()
  await expectAxeClean(page)

  // A draft with a working title.
  await page.getByRole('link', { name: 'New campaign' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New campaign')
  await page.getByRole('button', { name: 'Create draft' }).click()
  await expect(page.getByText('Enter a title').first()).toBeVisible()
  const title = `Free the river defenders ${run}`
  await page.getByLabel('Title').fill(title)
  await page.getByLabel('Main language').selectOption('en')
  await page.getByRole('button', { name: 'Create draft' }).click()
  await expect(page).toHaveURL(/\/admin\/campaigns\/\d+\/edit\?locale=en$/)
  const campaignId = page.url().match(/campaigns\/(\d+)\/edit/)![1]!
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Edit “${title}”`)

  // Publishing now is refused, with what is missing.
  await page.getByRole('button', { name: 'Publish' }).click()
  const missing = page.getByRole('alert').filter({ hasText: 'Before publishing, fill in:' })
  await expect(missing).toContainText('a summary')
  await expect(missing).toContainText('the demand')

  // The English texts, with a story previewed before saving.
  await page.getByLabel('Summary', { exact: true }).fill('Five people are jailed for protecting a river.')
  await page.getByLabel('Story', { exact: true }).fill('They **must** be freed.\n\n<script>alert(1)</script>')
  await page.getByLabel('Who you call on (name)').fill('The Minister of Justice')
  await page.getByLabel('Their role').fill('Ministry of Justice')
  await page.getByLabel('The demand').fill('Release all five today.')
  // Their own "show my name" wording is told what it must still say, API keys included.
  await expect(page.getByLabel('Wording for “show my name”')).toHaveAccessibleDescription(/the name given to the systems the privacy notice lists \(API keys\)/)
  await page.getByLabel('Signature goal').fill('500')
  await page.getByLabel('Signatures for milestone 1').fill('100')
  await page.getByLabel('What happens at milestone 1').fill('We write to the minister.')
  await page.getByRole('button', { name: 'Preview story' }).click()
  const storyPreview = page.getByRole('region', { name: 'Story preview' })
  await expect(storyPreview.locator('strong')).toHaveText('must')
  await expect(storyPreview.locator('script')).toHaveCount(0)
  // What was typed is still there, and nothing was saved yet.
  await expect(page.getByLabel('The demand')).toHaveValue('Release all five today.')
  expect((await e2eDb().selectFrom('campaigns').select('demand').where('id', '=', campaignId).executeTakeFirstOrThrow()).demand).toBe('')

  await page.getByLabel('Image file').setInputFiles({ name: 'river.png', mimeType: 'image/png', buffer: PNG })
  await page.getByLabel('Image description (alt text)').fill('The river at dawn')
  await save(page)
  await expect(page.getByRole('img', { name: 'The river at dawn' })).toBeVisible()
  await expect(page.getByLabel('Summary', { exact: true })).toHaveValue('Five people are jailed for protecting a river.')
  await expect(page.getByRole('region', { name: 'Translations' })).toContainText('Missing in Русский:')
  await expectAxeClean(page)

  // The Russian texts.
  await page.getByRole('navigation', { name: 'Language of the texts' }).getByRole('link', { name: 'Русский' }).click()
  await expect(page).toHaveURL(/locale=ru$/)
  await expect(page.getByText('You are editing the Русский texts.')).toBeVisible()
  await page.getByLabel('Title').fill('Свободу защитникам реки')
  await page.getByLabel('Summary', { exact: true }).fill('Пятеро в тюрьме за защиту реки.')
  await page.getByLabel('Story', { exact: true }).fill('Их **нужно** освободить.')
  await page.getByLabel('Who you call on (name)').fill('Министр юстиции')
  await page.getByLabel('Their role').fill('Министерство юстиции')
  await page.getByLabel('The demand').fill('Освободить всех пятерых сегодня.')
  await page.getByLabel('What happens at milestone 1').fill('Мы пишем министру.')
  await page.getByLabel('Image description (alt text)').fill('Река на рассвете')
  await save(page)
  await expect(page.getByRole('region', { name: 'Translations' })).toContainText('Русский: complete.')

  // The preview: the public page under a draft banner, in both languages.
  await page.getByRole('navigation', { name: 'Campaign' }).getByRole('link', { name: 'Preview' }).click()
  await expect(page).toHaveURL(new RegExp(`/admin/campaigns/${campaignId}/preview$`))
  await expect(page.getByRole('heading', { name: 'Draft preview' })).toBeVisible()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title)
  await expect(page.getByRole('img', { name: 'The river at dawn' })).toBeVisible()
  await expect(page.getByRole('region', { name: 'Milestones' })).toContainText('100 signatures: We write to the minister.')
  await expect(page.getByRole('button', { name: 'Sign the petition' })).toBeDisabled()
  // The way to give is shown as it will be, but leads nowhere from a draft.
  await expect(page.getByRole('button', { name: 'Donate to this campaign' })).toBeDisabled()
  await expect(page.locator('a[href*="/donate"]')).toHaveCount(0)
  await expectAxeClean(page)
  await page.goto(`/admin/campaigns/${campaignId}/preview?lang=ru`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Свободу защитникам реки')
  await expect(page.getByRole('img', { name: 'Река на рассвете' })).toBeVisible()
  await page.goto(`/admin/campaigns/${campaignId}/edit?lang=en`)

  // Publish.
  await page.getByRole('button', { name: 'Publish' }).click()
  await expect(page.getByRole('status')).toHaveText('The campaign is live.')
  const { slug } = await e2eDb().selectFrom('campaigns').select(['slug', 'status']).where('id', '=', campaignId).executeTakeFirstOrThrow()
  expect(slug).toBe(`free-the-river-defenders-${run}`)

  // A supporter signs and confirms; the workspace counts them.
  const supporter = uniqueEmail()
  await signPetition(page, slug, { fullName: 'Ada Lovelace', email: supporter })
  await page.goto(await confirmationLink(page, supporter))
  await page.getByRole('button', { name: 'Confirm my signature' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')
  await expectCampaignCount(page, slug, '1 signature of')
  await expect(page.getByRole('img', { name: 'The river at dawn' })).toBeVisible()

  await page.goto('/admin')
  const row = page.getByRole('row', { name: new RegExp(title) })
  await expect(row).toContainText('Live')
  await expect(row.getByRole('cell').nth(1)).toHaveText('1')
  await expectAxeClean(page)
})

test('the second of two organisers saving the same campaign is told what changed and keeps their text', async ({ page: first, browser }) => {
  const owner = await createOrganiser(e2eDb(), { role: 'owner', name: 'Olga Owner' })
  const colleague = await createOrganiser(e2eDb(), { role: 'campaigner', organisationId: owner.organisation.id })
  // The colleague works in a browser of their own (their own session), with JavaScript as in this project.
  const { baseURL, javaScriptEnabled } = test.info().project.use
  const secondContext = await browser.newContext({ baseURL, javaScriptEnabled })
  const second = await secondContext.newPage()
  await signInThroughMailbox(first, owner.email)
  await first.getByRole('link', { name: 'New campaign' }).click()
  await first.getByLabel('Title').fill('Shared campaign')
  await first.getByRole('button', { name: 'Create draft' }).click()
  await expect(first).toHaveURL(/\/edit\?locale=en$/)
  const editUrl = new URL(first.url()).pathname + '?locale=en'

  await signInThroughMailbox(second, colleague.email, { next: editUrl })
  await expect(second.getByLabel('Title')).toHaveValue('Shared campaign')

  // Both have the editor open; the owner saves first.
  await first.getByLabel('The demand').fill('The owner’s demand.')
  await first.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(first.getByRole('status')).toHaveText('Your changes are saved.')

  // The colleague saves from the old version: refused, told what changed, their text kept.
  await second.getByLabel('Summary', { exact: true }).fill('The colleague’s summary.')
  await second.getByRole('button', { name: 'Save', exact: true }).click()
  const conflict = second.getByRole('alert').filter({ hasText: 'Someone else saved this campaign while you were editing' })
  await expect(conflict).toContainText(`Saved by Olga Owner (${owner.email}).`)
  await expect(conflict).toContainText('The demand (English). Now: The owner’s demand.')
  await expect(second.getByLabel('Summary', { exact: true })).toHaveValue('The colleague’s summary.')
  await expectAxeClean(second)

  // Saving again, knowingly, keeps both changes the colleague now sees.
  await second.getByLabel('The demand').fill('The owner’s demand.')
  await second.getByRole('button', { name: 'Save', exact: true }).click()
  await expect(second.getByRole('status')).toHaveText('Your changes are saved.')
  const row = await e2eDb()
    .selectFrom('campaigns')
    .select(['summary', 'demand', 'version'])
    .where('title', '=', 'Shared campaign')
    .where('organisation_id', '=', owner.organisation.id)
    .executeTakeFirstOrThrow()
  expect(row).toEqual({ summary: 'The colleague’s summary.', demand: 'The owner’s demand.', version: 3 })
  await secondContext.close()
})
