import crypto from 'node:crypto'
import { expect, test, type Page } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { apiCount, confirmationLink, e2eDb, emailsTo, expectAxeClean, mailboxFor, signaturesOf, signPetition, THANKS_SUBJECT } from './support'

async function expectLinkDoesNotWork(page: Page, url: string) {
  const response = await page.goto(url)
  expect(response?.status()).toBe(404)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This link does not work')
  await expect(page.getByRole('button', { name: 'Confirm my signature' })).toHaveCount(0)
  await expect(page.getByRole('link', { name: 'Go to the home page' })).toBeVisible()
}

test('opening a confirmation link confirms nothing; only the button does, once', async ({ page, request }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('safe-link')
  await signPetition(page, campaign.slug, { fullName: 'Rosalind Franklin', email })
  const link = await confirmationLink(page, email)

  // A link scanner fetching the link, twice, and a person opening it: nothing is confirmed.
  for (let i = 0; i < 2; i++) {
    const scanned = await request.get(link)
    expect(scanned.status()).toBe(200)
    expect(scanned.headers()['cache-control']).toBe('no-store')
    // The token never travels to another site as a referrer: one policy, and no meta tag overriding it.
    expect(scanned.headers()['referrer-policy']).toBe('same-origin')
    const html = await scanned.text()
    expect(html).toContain('Confirm my signature')
    expect(html).not.toMatch(/<meta[^>]+name="referrer"/)
  }
  expect((await request.head(link)).status()).toBe(200)
  const opened = await page.goto(link)
  expect(opened?.status()).toBe(200)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirm your signature')
  await expect(page.getByRole('button', { name: 'Confirm my signature' })).toBeVisible()
  await expect(page.locator('meta[name="robots"]')).toHaveAttribute('content', 'noindex')
  const [pending] = await signaturesOf(campaign.id)
  expect(pending).toMatchObject({ state: 'pending', confirmed_at: null })
  expect((await emailsTo(email)).map((e) => e.template)).toEqual(['signature-confirmation'])

  // The button confirms.
  await page.getByRole('button', { name: 'Confirm my signature' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')
  const [confirmed] = await signaturesOf(campaign.id)
  expect(confirmed!.state).toBe('confirmed')
  await mailboxFor(page, email, THANKS_SUBJECT)

  // Used: the link no longer works, to look at or to press again.
  await expectLinkDoesNotWork(page, link)
  await expectAxeClean(page)
  const replay = await request.post(link, { form: {} })
  expect(replay.status()).toBe(404)
  expect(await replay.text()).toContain('This link does not work')

  // Still one signature, one thank-you email, one count.
  await expect.poll(() => apiCount(request, campaign.slug), { timeout: 15_000 }).toBe(1)
  expect(await signaturesOf(campaign.id)).toHaveLength(1)
  expect((await emailsTo(email)).map((e) => e.template)).toEqual(['signature-confirmation', 'signature-thanks'])
})

test('a link replaced by a newer email does not work, the newest one does', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('replaced-link')
  await signPetition(page, campaign.slug, { fullName: 'Lise Meitner', email })
  const oldLink = await confirmationLink(page, email)
  await signPetition(page, campaign.slug, { fullName: 'Lise Meitner', email })
  const newLink = await confirmationLink(page, email, 2)
  expect(newLink).not.toBe(oldLink)

  await expectLinkDoesNotWork(page, oldLink)
  const [signature] = await signaturesOf(campaign.id)
  expect(signature!.state).toBe('pending')

  await page.goto(newLink)
  await page.getByRole('button', { name: 'Confirm my signature' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')
  expect((await signaturesOf(campaign.id))[0]!.state).toBe('confirmed')
})

test('a made-up or mangled link does not work and confirms nothing', async ({ page, request }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('made-up')
  await signPetition(page, campaign.slug, { fullName: 'Marie Curie', email })
  const link = await confirmationLink(page, email)
  const token = new URL(link).pathname.split('/').pop()!

  const madeUp = crypto.randomBytes(32).toString('base64url')
  for (const path of [
    `/confirm/${madeUp}`,
    `/confirm/${token.slice(0, -1)}`, // cut short when copied
    `/confirm/${token.toUpperCase()}`,
    '/confirm/abc',
    `/confirm/${'a'.repeat(200)}`,
    `/confirm/${encodeURIComponent("' or 1=1 --")}`,
  ]) {
    await expectLinkDoesNotWork(page, path)
    const pressed = await request.post(path, { form: {} })
    expect(pressed.status(), path).toBe(404)
  }
  await expectAxeClean(page)

  expect(await signaturesOf(campaign.id)).toEqual([expect.objectContaining({ state: 'pending', confirmed_at: null })])
  // The real link still works afterwards.
  await page.goto(link)
  await expect(page.getByRole('button', { name: 'Confirm my signature' })).toBeVisible()
})
