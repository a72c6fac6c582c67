import { expect, test, type Page } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { e2eDb, emailsTo, expectAxeClean, expectCheckYourEmail, fillSignForm, signaturesOf } from './support'

const FIELDS = {
  fullName: 'Full name',
  email: 'Email address',
  country: 'Country',
  postcode: 'Postcode (optional)',
} as const
type Field = keyof typeof FIELDS

const field = (page: Page, name: Field) => page.getByLabel(FIELDS[name], { exact: true })
const submit = (page: Page) => page.getByRole('button', { name: 'Sign the petition' }).click()

/**
 * Exactly these fields show exactly these errors: beside the field (and announced with it), and as
 * links to the field in the error summary. The other fields show none.
 */
async function expectErrors(page: Page, expected: Partial<Record<Field, string>>) {
  const summary = page.getByRole('alert')
  await expect(summary.getByRole('heading', { name: 'There is a problem' })).toBeVisible()
  await expect(summary.getByRole('link')).toHaveText(Object.values(expected))
  for (const name of Object.keys(FIELDS) as Field[]) {
    const input = field(page, name)
    const errorBeside = page.locator('.field').filter({ has: input }).locator('.field-error')
    const message = expected[name]
    if (message) {
      await expect(errorBeside).toHaveText(message)
      await expect(input).toHaveAttribute('aria-invalid', 'true')
      await expect(input).toHaveAccessibleDescription(new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      const id = await input.getAttribute('id')
      await expect(summary.getByRole('link', { name: message })).toHaveAttribute('href', `#${id}`)
    } else {
      await expect(errorBeside).toHaveCount(0)
      await expect(input).not.toHaveAttribute('aria-invalid', 'true')
    }
  }
}

async function expectNothingStored(campaignId: string, email?: string) {
  expect(await signaturesOf(campaignId)).toEqual([])
  if (email) expect(await emailsTo(email)).toEqual([])
}

test('a supporter who sends an empty form is told what to fill in, and nothing is stored', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  await page.goto(`/campaigns/${campaign.slug}`)
  await expect(page.getByRole('alert')).toBeEmpty()
  await expect(page.locator('.field-error')).toHaveCount(0)

  await submit(page)
  await expectErrors(page, {
    fullName: 'Enter your full name',
    email: 'Enter your email address',
    country: 'Choose your country from the list',
  })
  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}(#sign)?$`))
  await expectAxeClean(page)
  await expectNothingStored(campaign.id)
})

test('a supporter corrects a bad email, a web address in the name and a missing country', async ({ page, javaScriptEnabled }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('fixes')
  await page.goto(`/campaigns/${campaign.slug}`)

  await fillSignForm(page, {
    fullName: 'Ada see www.spam-example.com',
    email: 'ada.example.org',
    postcode: 'SW1A <1AA>',
    keepMeUpdated: true,
  })
  await submit(page)
  await expectErrors(page, {
    fullName: 'Your name cannot contain a web address',
    email: 'Enter an email address like name@example.com',
    country: 'Choose your country from the list',
    postcode: 'Your postcode can only contain letters, numbers, spaces and hyphens',
  })
  // What was typed is still there.
  await expect(field(page, 'fullName')).toHaveValue('Ada see www.spam-example.com')
  await expect(field(page, 'email')).toHaveValue('ada.example.org')
  await expect(field(page, 'postcode')).toHaveValue('SW1A <1AA>')
  await expect(field(page, 'country')).toHaveValue('')
  await expect(page.getByLabel('Keep me updated about this campaign')).toBeChecked()
  await expect(page.getByLabel('Show my first name and country on this page')).not.toBeChecked()
  await expectAxeClean(page)
  await expectNothingStored(campaign.id)

  // Fixing some but not all: only what is still wrong is reported.
  await fillSignForm(page, { fullName: 'Ada Lovelace', email, country: 'FR' })
  await submit(page)
  await expectErrors(page, { postcode: 'Your postcode can only contain letters, numbers, spaces and hyphens' })
  await expect(field(page, 'country')).toHaveValue('FR')
  await expect(field(page, 'email')).toHaveValue(email)
  await expectNothingStored(campaign.id, email)

  // All fixed.
  await field(page, 'postcode').fill('75001')
  if (javaScriptEnabled) {
    // The error clears as they type, before they leave the field: nothing moves under the
    // pointer on its way to the button.
    await expect(field(page, 'postcode')).toBeFocused()
    await expect(page.locator('.field-error')).toHaveCount(0)
  }
  await submit(page)
  await expectCheckYourEmail(page, campaign.slug)
  const rows = await signaturesOf(campaign.id)
  expect(rows).toHaveLength(1)
  expect(rows[0]).toMatchObject({
    full_name: 'Ada Lovelace',
    email,
    country: 'FR',
    postcode: '75001',
    consent_updates: true,
    consent_show_name: false,
    state: 'pending',
  })
})

test('a name that looks like a spreadsheet formula is refused, and the rest is kept', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('formula')
  await page.goto(`/campaigns/${campaign.slug}`)

  for (const name of ['=SUM(A1:A9)', '+44 Ada', '-Ada', '@Ada']) {
    await fillSignForm(page, { fullName: name, email, country: 'DE', postcode: '10115', showMyName: true })
    await submit(page)
    await expectErrors(page, { fullName: 'Your name cannot start with =, +, - or @' })
    await expect(field(page, 'fullName')).toHaveValue(name)
    await expect(field(page, 'email')).toHaveValue(email)
    await expect(field(page, 'country')).toHaveValue('DE')
    await expect(field(page, 'postcode')).toHaveValue('10115')
    await expect(page.getByLabel('Show my first name and country on this page')).toBeChecked()
  }
  await expectAxeClean(page)
  await expectNothingStored(campaign.id, email)

  await field(page, 'fullName').fill('Ada Lovelace')
  await submit(page)
  await expectCheckYourEmail(page, campaign.slug)
  expect(await signaturesOf(campaign.id)).toEqual([expect.objectContaining({ full_name: 'Ada Lovelace', country: 'DE', consent_show_name: true })])
})

test('the server refuses bad input itself, whatever the browser checked', async ({ page, request }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('server-checks')

  // A country code only the server can judge, sent from a tampered form: refused beside the field.
  await page.goto(`/campaigns/${campaign.slug}`)
  await field(page, 'country').evaluate((select) => select.append(new Option('Nowhere', 'XX')))
  await fillSignForm(page, { fullName: 'Ada Lovelace', email, country: 'XX' })
  await submit(page)
  await expectErrors(page, { country: 'Choose your country from the list' })
  await expect(field(page, 'fullName')).toHaveValue('Ada Lovelace')
  await expect(field(page, 'email')).toHaveValue(email)

  // Requests without a browser at all.
  const valid = { fullName: 'Ada Lovelace', email, country: 'GB', postcode: '', consentUpdates: 'on' }
  for (const [form, message] of [
    [{ ...valid, country: 'XX' }, 'Choose your country from the list'],
    [{ ...valid, fullName: 'Ada https://spam.example' }, 'Your name cannot contain a web address'],
    [{ ...valid, fullName: '=1+1' }, 'Your name cannot start with =, +, - or @'],
    [{ ...valid, fullName: 'Ada\u0007Lovelace' }, 'Your name contains characters we cannot accept'],
    [{ ...valid, fullName: 'A'.repeat(101) }, 'Your name must be 100 characters or fewer'],
    [{ ...valid, email: 'ada@' }, 'Enter an email address like name@example.com'],
    [{ ...valid, postcode: '1'.repeat(17) }, 'Your postcode must be 16 characters or fewer'],
  ] as const) {
    const response = await request.post(`/campaigns/${campaign.slug}`, { form, maxRedirects: 0 })
    expect(response.status(), JSON.stringify(form)).toBe(400)
    expect(await response.text()).toContain(message)
  }
  await expectNothingStored(campaign.id, email)

  const response = await request.post(`/campaigns/${campaign.slug}`, { form: valid, maxRedirects: 0 })
  expect(response.status()).toBe(302)
  expect(response.headers().location).toBe(`/campaigns/${campaign.slug}/check-your-email#main`)
  expect(await signaturesOf(campaign.id)).toHaveLength(1)
})
