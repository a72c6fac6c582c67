import { emailIndex } from '../../app/models/data-key.server'
import { expect, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import {
  ALREADY_SIGNED_SUBJECT,
  apiCount,
  CONFIRM_SUBJECT,
  confirmationLink,
  e2eDb,
  emailsTo,
  expectCampaignCount,
  mailboxFor,
  signaturesOf,
  signPetition,
  THANKS_SUBJECT,
} from './support'

/** What the check-your-email page tells everyone alike, the address as typed aside. */
const whatItSays = (text: string) => text.split('No email?')[0]!.replace(/We sent it to \S+\./, 'We sent it to …')

test('signing again with the same address, before and after confirming, counts once', async ({ page, request }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('twice') // e.g. twice-abc123@example.org
  const [local, domain] = email.split('@')
  const shouted = `${local!.toUpperCase()}+again@${domain!.toUpperCase()}`

  // First time: a new address.
  await signPetition(page, campaign.slug, { fullName: 'Grace Hopper', email, country: 'US' })
  const checkPage = whatItSays(await page.locator('main').innerText())
  await confirmationLink(page, email)

  // Second time, still pending, with different case and a +tag: the very same page, a fresh link.
  // (It names the address as typed and offers to correct only a new signature: showing the
  // stored address would tell that it had signed.)
  await signPetition(page, campaign.slug, { fullName: 'Grace Hopper', email: shouted, country: 'US' })
  expect(whatItSays(await page.locator('main').innerText())).toBe(checkPage)
  const link = await confirmationLink(page, email, 2)
  expect(await signaturesOf(campaign.id)).toHaveLength(1)

  await page.goto(link)
  await page.getByRole('button', { name: 'Confirm my signature' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')
  await mailboxFor(page, email, THANKS_SUBJECT)
  await expect.poll(() => apiCount(request, campaign.slug), { timeout: 15_000 }).toBe(1)

  // Third time, now confirmed: the same page again, an "already signed" email, no new count.
  await signPetition(page, campaign.slug, { fullName: 'Grace Hopper', email: shouted, country: 'DE' })
  expect(whatItSays(await page.locator('main').innerText())).toBe(checkPage)
  const alreadySigned = await mailboxFor(page, email, ALREADY_SIGNED_SUBJECT)
  await expect(alreadySigned.first().getByRole('heading', { level: 2 })).toHaveText(`You have already signed “${campaign.title}”`)
  await expect(alreadySigned.first().getByRole('link', { name: 'Confirm my signature' })).toHaveCount(0)

  // Exactly one row for this campaign, confirmed, as first typed; exactly these emails.
  const rows = await signaturesOf(campaign.id)
  expect(rows).toHaveLength(1)
  expect(rows[0]).toMatchObject({ email, email_index: await emailIndex(email, e2eDb()), state: 'confirmed', country: 'US' })
  expect((await emailsTo(email)).map((e) => e.template)).toEqual(['signature-confirmation', 'signature-confirmation', 'signature-thanks', 'already-signed'])
  expect(await emailsTo(shouted)).toEqual([])
  await mailboxFor(page, email, CONFIRM_SUBJECT, 2)

  // The count stays at one, on the page and in the JSON, after the counter has had its turn.
  await expectCampaignCount(page, campaign.slug, '1 signature of')
  const json = await (await request.get(`/api/campaigns/${campaign.slug}`)).json()
  expect(json).toMatchObject({ signatureCount: 1, signaturesByCountry: { US: 1 } })
})
