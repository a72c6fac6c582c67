import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { createCampaign, createSignature, uniqueEmail } from '../support/factories'
import { apiCount, confirmationLink, e2eDb, emailsTo, expectAxeClean, signaturesOf, signPetition } from './support'

/** A campaign with `count` confirmed signatures already counted, as the counter would leave it. */
async function campaignWithSignatures(count: number, values: Parameters<typeof createCampaign>[1]) {
  const campaign = await createCampaign(e2eDb(), { ...values, signature_count: count })
  for (let i = 0; i < count; i++) {
    await createSignature(e2eDb(), { campaign_id: campaign.id, state: 'confirmed', counted_at: new Date() })
  }
  return campaign
}

async function expectClosedPage(page: Page, slug: string, finalCount: string) {
  const response = await page.goto(`/campaigns/${slug}`)
  expect(response?.status()).toBe(200)
  await expect(page.getByRole('heading', { name: 'This petition is closed' })).toBeVisible()
  await expect(page.getByText('This petition is no longer collecting signatures.')).toBeVisible()
  await expect(page.getByText(finalCount)).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign the petition' })).toHaveCount(0)
  await expect(page.getByLabel('Email address')).toHaveCount(0)
  await expect(page.locator('form[method="post"]')).toHaveCount(0)
}

async function expectPostRefused(request: APIRequestContext, slug: string, email: string) {
  const response = await request.post(`/campaigns/${slug}`, {
    form: { fullName: 'Ada Lovelace', email, country: 'GB', postcode: 'N1 9GU', consentUpdates: 'on', consentShowName: 'on' },
    maxRedirects: 0,
  })
  expect(response.status()).toBe(403)
  expect(response.headers()['cache-control']).toBe('no-store')
  expect(await response.text()).toContain('This petition is closed')
}

test('a closed campaign shows its final count and refuses signatures', async ({ page, request }) => {
  const campaign = await campaignWithSignatures(3, { status: 'closed' })
  const email = uniqueEmail('closed')

  await expectClosedPage(page, campaign.slug, 'Final count: 3 signatures.')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(campaign.title)
  await expect(page.locator('#campaign-progress-label')).toContainText('3 signatures')
  await expectAxeClean(page)

  await expectPostRefused(request, campaign.slug, email)
  expect(await signaturesOf(campaign.id)).toHaveLength(3)
  expect(await emailsTo(email)).toEqual([])
  expect(await apiCount(request, campaign.slug)).toBe(3)
  const json = await (await request.get(`/api/campaigns/${campaign.slug}`)).json()
  expect(json).toMatchObject({ status: 'closed', signatureCount: 3 })

  // The page still says so after the refusal.
  await expectClosedPage(page, campaign.slug, 'Final count: 3 signatures.')
})

test('a campaign past its closing time refuses signatures too', async ({ page, request }) => {
  const campaign = await campaignWithSignatures(1, { status: 'live', closes_at: new Date(Date.now() - 60_000) })
  const email = uniqueEmail('expired')

  await expectClosedPage(page, campaign.slug, 'Final count: 1 signature.')
  await expectPostRefused(request, campaign.slug, email)
  expect(await signaturesOf(campaign.id)).toHaveLength(1)
  expect(await emailsTo(email)).toEqual([])
})

test('a supporter whose petition closes before they confirm is told so, and is not counted', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('late')
  await signPetition(page, campaign.slug, { fullName: 'Ada Lovelace', email })
  const link = await confirmationLink(page, email)

  await page.goto(link)
  await e2eDb().updateTable('campaigns').set({ status: 'closed' }).where('id', '=', campaign.id).execute()
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/confirm/')),
    page.getByRole('button', { name: 'Confirm my signature' }).click(),
  ])
  expect(answer.status()).toBe(409)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This petition has closed')
  await expect(page.getByText('The petition closed before your signature was confirmed')).toBeVisible()
  await expectAxeClean(page)
  expect(await signaturesOf(campaign.id)).toEqual([expect.objectContaining({ state: 'pending', confirmed_at: null })])
})

test('a supporter who had the form open when the petition closed is told it is closed', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('form-open')
  await page.goto(`/campaigns/${campaign.slug}`)
  await page.getByLabel('Full name', { exact: true }).fill('Ada Lovelace')
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Country', { exact: true }).selectOption('GB')

  await e2eDb().updateTable('campaigns').set({ status: 'closed' }).where('id', '=', campaign.id).execute()
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Sign the petition' }).click(),
  ])
  expect(answer.status()).toBe(403)
  await expect(page).not.toHaveURL(/check-your-email/)
  // The campaign page is a plain form with or without JavaScript (decision 0037): the answer is the page as it now stands.
  await expect(page.getByRole('heading', { name: 'This petition is closed' })).toBeVisible()
  await expect(page.getByText('Final count: 0 signatures.')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign the petition' })).toHaveCount(0)
  await expectAxeClean(page)
  expect(await signaturesOf(campaign.id)).toEqual([])
  expect(await emailsTo(email)).toEqual([])
})

test('a petition that has not opened yet says when it opens and takes no signatures', async ({ page }) => {
  const campaign = await createCampaign(e2eDb(), { opens_at: new Date('2099-03-01T12:00:00Z') })
  await page.goto(`/campaigns/${campaign.slug}`)
  await expect(page.getByRole('heading', { name: 'This petition is not open yet' })).toBeVisible()
  await expect(page.getByText('It opens for signatures on March 1, 2099.')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign the petition' })).toHaveCount(0)
  await expectAxeClean(page)
  await page.goto('/')
  await expect(page.getByRole('link', { name: campaign.title })).toHaveCount(0)
})
