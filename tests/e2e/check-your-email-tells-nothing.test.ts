import { expect, request as playwrightRequest, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { confirmationLink, e2eDb, signaturesOf } from './support'

/**
 * The HTML of the check-your-email page as one browser receives it after signing: its own
 * cookies (a fresh browser each time), the redirect followed. Per-response values (the CSP
 * nonce, tokens) are blanked; everything else must match byte for byte.
 */
async function checkYourEmailHtml(baseURL: string, slug: string, email: string) {
  const browser = await playwrightRequest.newContext({ baseURL })
  try {
    const signed = await browser.post(`/campaigns/${slug}`, { form: { fullName: 'Grace Hopper', email, country: 'GB', website: '' }, maxRedirects: 0 })
    expect(signed.status()).toBe(302)
    // The cookie naming the address is sealed: the browser holding it learns nothing from it
    // either, not even from its length (its signature part aside, which is base64 of a fixed size).
    const cookie = decodeURIComponent(/chorus_sent=([^;]*)/.exec(signed.headers()['set-cookie'] ?? '')![1]!)
    const response = await browser.get(signed.headers()['location']!)
    expect(response.status()).toBe(200)
    expect(new URL(response.url()).pathname).toBe(`/campaigns/${slug}/check-your-email`)
    const html = (await response.text()).replace(/nonce="[^"]*"/g, 'nonce=""').replace(/("(?:csrf|token)"\s*:\s*)"[^"]*"/gi, '$1""')
    return { html, cookieLength: cookie.length }
  } finally {
    await browser.dispose()
  }
}

test('the check-your-email page is the same whether the address had signed or not', async ({ page, baseURL }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('enumerate')
  const first = await checkYourEmailHtml(baseURL!, campaign.slug, email)
  expect(first.html).toContain(email)
  // Signed already, still pending: the very same answer.
  expect(await checkYourEmailHtml(baseURL!, campaign.slug, email)).toEqual(first)
  // Confirmed (and counted): still the very same answer.
  await page.goto(await confirmationLink(page, email, 2))
  await page.getByRole('button', { name: 'Confirm my signature' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')
  expect((await signaturesOf(campaign.id))[0]!.confirmed_at).not.toBeNull()
  expect(await checkYourEmailHtml(baseURL!, campaign.slug, email)).toEqual(first)
  // And a stranger's first signature differs only by the address typed (as long as this one).
  const other = email.replace('enumerate', 'stranger1')
  const stranger = await checkYourEmailHtml(baseURL!, campaign.slug, other)
  expect({ ...stranger, html: stranger.html.replaceAll(other, email) }).toEqual(first)
})
