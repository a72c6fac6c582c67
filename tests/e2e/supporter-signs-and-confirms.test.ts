import { expect, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import {
  apiCount,
  confirmationLink,
  e2eDb,
  expectAxeClean,
  expectCampaignCount,
  expectCheckYourEmail,
  fillSignForm,
  mailboxFor,
  signaturesOf,
  THANKS_SUBJECT,
} from './support'

test('a supporter signs, confirms by email and is counted once', async ({ page, request }) => {
  const campaign = await createCampaign(e2eDb(), { demand: 'Release every detained defender today.' })
  const email = uniqueEmail()

  // The campaign page: title, demand, progress and the sign form.
  await page.goto(`/campaigns/${campaign.slug}`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(campaign.title)
  await expect(page.getByText('Release every detained defender today.')).toBeVisible()
  await expect(page.locator('#campaign-progress-label')).toContainText('0 signatures of')
  await expect(page.getByRole('progressbar')).toHaveAttribute('value', '0')
  await expectAxeClean(page)

  // Every field, both consent boxes.
  await fillSignForm(page, {
    fullName: 'Ada Lovelace',
    email,
    country: 'GB',
    postcode: 'sw1a 1aa',
    keepMeUpdated: true,
    showMyName: true,
  })
  await expect(page.getByLabel('Country', { exact: true }).locator('option:checked')).toHaveText('United Kingdom')
  await page.getByRole('button', { name: 'Sign the petition' }).click()

  await expectCheckYourEmail(page, campaign.slug)
  await expect(page.locator('main')).toContainText(campaign.title)
  await expectAxeClean(page)

  // What was stored: one pending signature with what was typed and ticked.
  const [stored, ...others] = await signaturesOf(campaign.id)
  expect(others).toHaveLength(0)
  expect(stored).toMatchObject({
    full_name: 'Ada Lovelace',
    email,
    country: 'GB',
    postcode: 'SW1A 1AA',
    consent_updates: true,
    consent_show_name: true,
    state: 'pending',
    confirmed_at: null,
  })

  // The email, and its link: a GET only shows the confirm page.
  const link = await confirmationLink(page, email)
  const emails = await mailboxFor(page, email, /^Confirm your signature on/)
  await expect(emails.first()).toContainText(`“${campaign.title}”`)
  // The email's button opens the link in a new tab, as a mail client would.
  const [confirmTab] = await Promise.all([page.waitForEvent('popup'), emails.first().getByRole('link', { name: 'Confirm my signature' }).click()])
  await expect(confirmTab).toHaveURL(link)
  await confirmTab.close()
  await page.goto(link)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm your signature')
  await expect(page.getByRole('heading', { level: 2, name: campaign.title })).toBeVisible()
  await expectAxeClean(page)

  const [afterVisit] = await signaturesOf(campaign.id)
  expect(afterVisit!.state).toBe('pending')
  expect(afterVisit!.confirmed_at).toBeNull()
  expect(await apiCount(request, campaign.slug)).toBe(0)

  // The button confirms.
  await page.getByRole('button', { name: 'Confirm my signature' }).click()
  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}/thank-you$`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')
  await expect(page.getByRole('heading', { name: 'Share this petition' })).toBeVisible()
  await expect(page.getByRole('link', { name: /WhatsApp/ })).toHaveAttribute(
    'href',
    new RegExp(`^https://wa.me/.*${encodeURIComponent(`/campaigns/${campaign.slug}`)}`),
  )
  await expectAxeClean(page)

  const [confirmed] = await signaturesOf(campaign.id)
  expect(confirmed!.state).toBe('confirmed')
  expect(confirmed!.confirmed_at).not.toBeNull()
  expect(confirmed!.confirmation_token_hash).toBeNull()

  // The count rises by exactly one, on the page and in the JSON.
  await expectCampaignCount(page, campaign.slug, '1 signature of')
  await expect(page.getByRole('progressbar')).toHaveAttribute('value', '1')
  await expect.poll(() => apiCount(request, campaign.slug), { timeout: 15_000 }).toBe(1)
  const json = await (await request.get(`/api/campaigns/${campaign.slug}`)).json()
  expect(json).toMatchObject({
    slug: campaign.slug,
    title: campaign.title,
    status: 'live',
    target: { name: campaign.target_name, role: campaign.target_role },
    goal: campaign.signature_goal,
    signatureCount: 1,
    signaturesByCountry: { GB: 1 },
  })
  expect(Date.parse(json.updatedAt)).not.toBeNaN()

  // The supporter chose to be shown: first name and country, never the surname or address.
  await expect(page.getByRole('region', { name: 'Recent signers' })).toContainText('Ada, United Kingdom')
  await expect(page.locator('main')).not.toContainText('Lovelace')
  await expect(page.locator('main')).not.toContainText(email)

  // And a thank-you email follows.
  const thanks = await mailboxFor(page, email, THANKS_SUBJECT)
  await expect(thanks.first().getByRole('heading', { level: 2 })).toHaveText(`Thank you for signing “${campaign.title}”`)
})
