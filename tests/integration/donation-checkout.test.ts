import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loader as apiLoader } from '~/routes/api.campaigns.$slug'
import { loader as campaignLoader } from '~/routes/campaigns.$slug'
import { action as donateAction, loader as donateLoader } from '~/routes/campaigns.$slug_.donate'
import { loader as donationThanksLoader } from '~/routes/campaigns.$slug_.donate_.thank-you'
import { loader as thankYouLoader } from '~/routes/campaigns.$slug_.thank-you'
import { action as confirmAction } from '~/routes/confirm.$token'
import { action as manageAction, loader as manageLoader } from '~/routes/donations.$id.manage'
import { action as webhookAction } from '~/routes/webhooks.stripe'
import { emailIndex, open } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'
import { createCampaign, createSignature, uniqueEmail } from '../support/factories'
import { deliver, donationRow, events, forgetStripe, startGift, useFakeStripe } from '../support/donations'
import { startFakeStripe, type FakeStripe } from '../support/fake-stripe'
import { callRoute, form } from '../support/routes'
import { generateToken, hashToken } from '~/utils/security.server'
import { contentSecurityPolicy } from '../../server/app'
import { runDueJobs, openEmailRow } from '../support/jobs'

let fake: FakeStripe
beforeAll(async () => {
  fake = await startFakeStripe()
})
afterAll(async () => {
  await fake.close()
})
beforeEach(() => {
  useFakeStripe(fake)
})

const db = () => getDb()
const post = (slug: string, values: Record<string, string>, headers: Record<string, string> = {}) =>
  callRoute(donateAction, { url: `/campaigns/${slug}/donate`, method: 'POST', body: form(values), params: { slug }, headers })
const valid = (extra: Record<string, string> = {}) => ({ frequency: 'one_off', amount: '2500', name: 'Ada Donor', email: uniqueEmail('donor'), ...extra })
const fieldErrors = (response: { data: any }) => response.data.result.error as Record<string, string[]>

describe('GET and POST /campaigns/:slug/donate', () => {
  it('offers the campaign’s presets in its currency, or the organisation’s', async () => {
    const own = await createCampaign(db(), { donation_currency: 'GBP', donation_presets: [500, 1500] })
    const inherited = await createCampaign(db())
    const ownPage = await callRoute(donateLoader, { url: `/campaigns/${own.slug}/donate`, params: { slug: own.slug } })
    expect(ownPage.data.configured).toBe(true)
    expect(ownPage.data.rules).toMatchObject({ currency: 'GBP', presets: [500, 1500], minMinor: 100, maxMinor: 1_000_000 })
    expect(ownPage.data.presets.map((p: { label: string }) => p.label)).toEqual(['£5', '£15'])
    expect(ownPage.headers.get('Cache-Control')).toBe('no-store')
    const inheritedPage = await callRoute(donateLoader, { url: `/campaigns/${inherited.slug}/donate`, params: { slug: inherited.slug } })
    expect(inheritedPage.data.rules).toMatchObject({ currency: 'EUR', presets: [1000, 2500, 5000, 10000] })
  })

  it('opens a one-off Checkout Session with the contract’s parameters and redirects (303) to it', async () => {
    const campaign = await createCampaign(db())
    const email = uniqueEmail('donor')
    const response = await post(campaign.slug, valid({ amount: 'other', otherAmount: '12.50', email: email.toUpperCase() }))
    expect(response.status).toBe(303)
    const [request] = fake.checkoutRequests()
    const donation = await db().selectFrom('donations').selectAll().executeTakeFirstOrThrow()
    expect(donation).toMatchObject({
      status: 'pending',
      frequency: 'one_off',
      amount_minor: 1250,
      currency: 'EUR',
      donor_email_index: await emailIndex(email),
      locale: 'en',
    })
    // The donor's name and address are sealed at rest (decision 0040).
    expect([await open(donation.donor_name), await open(donation.donor_email)]).toEqual(['Ada Donor', email])
    expect(donation.donor_email).not.toContain(email)
    expect(request!.headers['idempotency-key']).toBe(`checkout:${donation.id}`)
    expect(request!.body).toMatchObject({
      mode: 'payment',
      submit_type: 'donate',
      client_reference_id: donation.id,
      customer_email: email,
      metadata: { donation_id: donation.id, campaign_id: campaign.id },
      payment_intent_data: { metadata: { donation_id: donation.id } },
      line_items: [{ quantity: '1', price_data: { currency: 'eur', unit_amount: '1250', product_data: { name: `Donation to “${campaign.title}”` } } }],
    })
    expect(request!.body.line_items[0].price_data.recurring).toBeUndefined()
    expect(request!.body.subscription_data).toBeUndefined()
    expect(request!.body.success_url).toMatch(
      new RegExp(`^http://localhost:3000/campaigns/${campaign.slug}/donate/thank-you\\?donation=${donation.id}&sig=[\\w-]+$`),
    )
    expect(request!.body.cancel_url).toMatch(new RegExp(`^http://localhost:3000/campaigns/${campaign.slug}/donate\\?resume=${donation.id}\\.[\\w-]+$`))
    expect(response.headers.get('Location')).toBe(fake.sessions.get(donation.stripe_checkout_session_id!)!.url)
  })

  it('opens a monthly Checkout Session as a subscription with a monthly price and the donation in its metadata', async () => {
    const campaign = await createCampaign(db())
    const response = await post(campaign.slug, valid({ frequency: 'monthly', amount: '1000' }))
    expect(response.status).toBe(303)
    const donation = await db().selectFrom('donations').selectAll().executeTakeFirstOrThrow()
    const [request] = fake.checkoutRequests()
    expect(request!.headers['idempotency-key']).toBe(`checkout:${donation.id}`)
    expect(request!.body).toMatchObject({
      mode: 'subscription',
      client_reference_id: donation.id,
      metadata: { donation_id: donation.id },
      subscription_data: { metadata: { donation_id: donation.id, campaign_id: campaign.id } },
      line_items: [{ price_data: { currency: 'eur', unit_amount: '1000', recurring: { interval: 'month' } } }],
    })
    expect(request!.body.submit_type).toBeUndefined()
  })

  it('keeps amounts within the configured bounds, in minor units', async () => {
    const campaign = await createCampaign(db())
    const tooSmall = await post(campaign.slug, valid({ amount: 'other', otherAmount: '0.99' }))
    expect(tooSmall.status).toBe(400)
    expect(fieldErrors(tooSmall).otherAmount).toEqual(['donate.error.amountTooSmall'])
    const tooLarge = await post(campaign.slug, valid({ amount: 'other', otherAmount: '10000.01' }))
    expect(fieldErrors(tooLarge).otherAmount).toEqual(['donate.error.amountTooLarge'])
    const tooPrecise = await post(campaign.slug, valid({ amount: 'other', otherAmount: '5.5,5' }))
    expect(fieldErrors(tooPrecise).otherAmount).toEqual(['donate.error.amountInvalid'])
    const notAPreset = await post(campaign.slug, valid({ amount: '1234' }))
    expect(fieldErrors(notAPreset).amount).toEqual(['donate.error.amountInvalid'])
    const missingOther = await post(campaign.slug, valid({ amount: 'other', otherAmount: '' }))
    expect(fieldErrors(missingOther).otherAmount).toEqual(['donate.error.otherRequired'])
    expect(await db().selectFrom('donations').select('id').execute()).toEqual([])
    expect(fake.checkoutRequests()).toEqual([])

    expect((await post(campaign.slug, valid({ amount: 'other', otherAmount: '1' }))).status).toBe(303)
    expect((await post(campaign.slug, valid({ amount: 'other', otherAmount: '10,000.00' }))).status).toBe(303)
    const amounts = await db().selectFrom('donations').select('amount_minor').orderBy('id').execute()
    expect(amounts.map((d) => d.amount_minor)).toEqual([100, 1_000_000])
  })

  it('takes the bounds from DONATION_MIN_AMOUNT and DONATION_MAX_AMOUNT', async () => {
    process.env.DONATION_MIN_AMOUNT = '5'
    process.env.DONATION_MAX_AMOUNT = '50'
    useFakeStripe(fake)
    try {
      const campaign = await createCampaign(db())
      const page = await callRoute(donateLoader, { url: `/campaigns/${campaign.slug}/donate`, params: { slug: campaign.slug } })
      // Presets outside the bounds are not offered.
      expect(page.data.rules).toMatchObject({ minMinor: 500, maxMinor: 5000, presets: [1000, 2500, 5000] })
      expect(fieldErrors(await post(campaign.slug, valid({ amount: 'other', otherAmount: '4.99' }))).otherAmount).toEqual(['donate.error.amountTooSmall'])
      expect(fieldErrors(await post(campaign.slug, valid({ amount: '10000' }))).amount).toEqual(['donate.error.amountInvalid'])
    } finally {
      delete process.env.DONATION_MIN_AMOUNT
      delete process.env.DONATION_MAX_AMOUNT
    }
  })

  it('handles a currency without a minor unit (JPY): whole yen, and the bounds in yen', async () => {
    const campaign = await createCampaign(db(), { donation_currency: 'JPY', donation_presets: [500, 1000, 3000] })
    const page = await callRoute(donateLoader, { url: `/campaigns/${campaign.slug}/donate`, params: { slug: campaign.slug } })
    expect(page.data.rules).toMatchObject({ currency: 'JPY', minMinor: 1, maxMinor: 10_000 })
    expect(page.data.presets.map((p: { label: string }) => p.label)).toEqual(['¥500', '¥1,000', '¥3,000'])
    expect(fieldErrors(await post(campaign.slug, valid({ amount: 'other', otherAmount: '10.5' }))).otherAmount).toEqual(['donate.error.amountInvalid'])
    expect(fieldErrors(await post(campaign.slug, valid({ amount: 'other', otherAmount: '10001' }))).otherAmount).toEqual(['donate.error.amountTooLarge'])
    expect((await post(campaign.slug, valid({ amount: 'other', otherAmount: '1,500' }))).status).toBe(303)
    const [request] = fake.checkoutRequests()
    expect(request!.body.line_items[0].price_data).toMatchObject({ currency: 'jpy', unit_amount: '1500' })
    expect(await db().selectFrom('donations').select(['amount_minor', 'currency']).execute()).toEqual([{ amount_minor: 1500, currency: 'JPY' }])
  })

  it('shows errors beside fields and keeps what was typed', async () => {
    const campaign = await createCampaign(db())
    const response = await post(campaign.slug, { frequency: 'monthly', amount: 'other', otherAmount: 'lots', name: '', email: 'not-an-email' })
    expect(response.status).toBe(400)
    // Every problem at once, the amount's included.
    expect(fieldErrors(response)).toEqual({
      name: ['donate.error.nameRequired'],
      email: ['donate.error.emailInvalid'],
      otherAmount: ['donate.error.amountInvalid'],
    })
    expect(response.data.result.initialValue).toMatchObject({ frequency: 'monthly', amount: 'other', otherAmount: 'lots', email: 'not-an-email' })
  })

  it('limits how many gifts one client can start (each opens a Checkout Session)', async () => {
    process.env.SIGN_RATE_LIMIT = '2'
    useFakeStripe(fake)
    try {
      const campaign = await createCampaign(db())
      expect((await post(campaign.slug, valid())).status).toBe(303)
      expect((await post(campaign.slug, valid())).status).toBe(303)
      const third = await post(campaign.slug, valid({ amount: '5000' }))
      expect(third.status).toBe(429)
      expect(third.data.result.error['']).toEqual(['donate.error.rateLimited'])
      // Refused before the body is read: nothing of it comes back.
      expect(third.data.result.initialValue).toEqual({})
      expect(fake.checkoutRequests()).toHaveLength(2)
    } finally {
      delete process.env.SIGN_RATE_LIMIT
    }
  })

  it('answers 502 with a message and the values kept when Stripe cannot be reached', async () => {
    const campaign = await createCampaign(db())
    fake.state.failNext = 10
    const response = await post(campaign.slug, valid({ amount: '5000' }))
    expect(response.status).toBe(502)
    expect(response.data.result.error['']).toEqual(['donate.error.unavailable'])
    expect(response.data.result.initialValue).toMatchObject({ amount: '5000' })
  })

  it('Checkout’s cancel link brings the form back with the earlier choices', async () => {
    const campaign = await createCampaign(db())
    await post(campaign.slug, valid({ frequency: 'monthly', amount: 'other', otherAmount: '7.50', name: 'Grace Giver', email: 'grace@example.org' }))
    const [request] = fake.checkoutRequests()
    const cancelUrl = new URL(request!.body.cancel_url)
    const page = await callRoute(donateLoader, { url: `${cancelUrl.pathname}${cancelUrl.search}`, params: { slug: campaign.slug } })
    expect(page.data.defaults).toEqual({ frequency: 'monthly', amount: 'other', otherAmount: '7.50', name: 'Grace Giver', email: 'grace@example.org' })
    // A forged resume value shows an empty form.
    const forged = await callRoute(donateLoader, { url: `${cancelUrl.pathname}?resume=1.forged`, params: { slug: campaign.slug } })
    expect(forged.data.defaults).toMatchObject({ name: '', email: '' })
  })

  it('fills in the name and email of a supporter who has just confirmed their signature', async () => {
    const campaign = await createCampaign(db())
    const token = generateToken()
    await createSignature(db(), { campaign_id: campaign.id, full_name: 'Sam Signer', email: 'sam@example.org', confirmation_token_hash: hashToken(token) })
    const confirmed = await callRoute(confirmAction, { url: `/confirm/${token}`, method: 'POST', params: { token } })
    expect(confirmed.status).toBe(302)
    const cookie = confirmed.headers.get('Set-Cookie')!
    const [pair, ...attributes] = cookie.split('; ')
    expect(pair).toMatch(/^chorus_donor=[\w.%-]+$/)
    expect(attributes.sort()).toEqual(['HttpOnly', 'Max-Age=3600', `Path=/campaigns/${campaign.slug}`, 'SameSite=Lax'])
    const page = await callRoute(donateLoader, {
      url: `/campaigns/${campaign.slug}/donate`,
      params: { slug: campaign.slug },
      headers: { Cookie: cookie.split(';')[0]! },
    })
    expect(page.data.defaults).toMatchObject({ name: 'Sam Signer', email: 'sam@example.org' })
    // Another campaign's donate page does not get them.
    const other = await createCampaign(db())
    const elsewhere = await callRoute(donateLoader, {
      url: `/campaigns/${other.slug}/donate`,
      params: { slug: other.slug },
      headers: { Cookie: cookie.split(';')[0]! },
    })
    expect(elsewhere.data.defaults).toMatchObject({ name: '', email: '' })
    // The thank-you page and the thank-you email ask for a gift.
    const thanks = await callRoute(thankYouLoader, { url: `/campaigns/${campaign.slug}/thank-you`, params: { slug: campaign.slug } })
    expect(thanks.data.canDonate).toBe(true)
    await runDueJobs()
    const email = await openEmailRow(await db().selectFrom('email_messages').selectAll().where('template', '=', 'signature-thanks').executeTakeFirstOrThrow())
    expect(email.text).toContain('Make a donation')
    expect(email.html).toContain(`href="http://localhost:3000/campaigns/${campaign.slug}/donate?lang=en"`)
  })
})

describe('without Stripe keys', () => {
  beforeEach(() => forgetStripe())

  it('there is no donate page (404), posting is refused, no figures show, and the rest works', async () => {
    const campaign = await createCampaign(db(), { show_donation_totals: true })
    const page = await callRoute(donateLoader, { url: `/campaigns/${campaign.slug}/donate`, params: { slug: campaign.slug } })
    expect(page.status).toBe(404)
    expect(page.text).not.toMatch(/configured|Stripe/i)
    const posted = await post(campaign.slug, valid())
    expect(posted.status).toBe(404)
    expect(await db().selectFrom('donations').select('id').execute()).toEqual([])

    const campaignPage = await callRoute(campaignLoader, { url: `/campaigns/${campaign.slug}`, params: { slug: campaign.slug } })
    expect(campaignPage.status).toBe(200)
    expect(campaignPage.data.donationSummary).toEqual({ enabled: false, totals: null })
    const thanks = await callRoute(thankYouLoader, { url: `/campaigns/${campaign.slug}/thank-you`, params: { slug: campaign.slug } })
    expect(thanks.data.canDonate).toBe(false)
    const signature = await createSignature(db(), { campaign_id: campaign.id, state: 'confirmed' })
    const { buildSignatureEmail } = await import('~/models/signature-email.server')
    const email = await buildSignatureEmail('signature-thanks', signature.id)
    expect(email!.html).not.toContain('/donate')
    // Nor does the page allow a Stripe origin as a form target.
    expect(contentSecurityPolicy('n', { dev: false, https: true, path: '/' })).toContain("form-action 'self';")
    const webhook = await callRoute(webhookAction, { url: '/webhooks/stripe', method: 'POST', body: '{}', headers: { 'Stripe-Signature': 't=1,v1=x' } })
    expect(webhook.status).toBe(404)
  })
})

describe('the public totals', () => {
  it('are in the campaign page and the JSON when the campaign shows them, otherwise null', async () => {
    const shown = await startGift(fake, { amount: '5000' })
    await deliver(events.checkoutCompleted(shown.session))
    const hidden = await createCampaign(db(), { show_donation_totals: false })
    const hiddenGift = await startGift(fake, { campaign: hidden, amount: '5000' })
    await deliver(events.checkoutCompleted(hiddenGift.session))

    const json = await callRoute(apiLoader, { url: `/api/campaigns/${shown.campaign.slug}`, params: { slug: shown.campaign.slug } })
    expect(json.data.donations).toEqual({ currency: 'EUR', totalMinor: 5000, donorCount: 1 })
    const page = await callRoute(campaignLoader, { url: `/campaigns/${shown.campaign.slug}`, params: { slug: shown.campaign.slug } })
    expect(page.data.donationSummary).toEqual({ enabled: true, totals: { currency: 'EUR', totalMinor: 5000, donorCount: 1 } })

    const hiddenJson = await callRoute(apiLoader, { url: `/api/campaigns/${hidden.slug}`, params: { slug: hidden.slug } })
    expect(hiddenJson.data.donations).toBeNull()
    const hiddenPage = await callRoute(campaignLoader, { url: `/campaigns/${hidden.slug}`, params: { slug: hidden.slug } })
    expect(hiddenPage.data.donationSummary).toEqual({ enabled: true, totals: null })
  })
})

describe('after Checkout', () => {
  it('the thank-you page shows "processing" until the webhook confirms, and refuses a forged link', async () => {
    const { campaign, donation, session } = await startGift(fake)
    const [request] = fake.checkoutRequests()
    const success = new URL(request!.body.success_url)
    const load = () => callRoute(donationThanksLoader, { url: `${success.pathname}${success.search}`, params: { slug: campaign.slug } })
    expect((await load()).data.view).toBe('processing')
    await deliver(events.checkoutCompleted(session))
    expect((await load()).data).toMatchObject({ view: 'confirmed', donation: { amountMinor: 2500, currency: 'EUR', frequency: 'one_off' } })
    const forged = await callRoute(donationThanksLoader, {
      url: `/campaigns/${campaign.slug}/donate/thank-you?donation=${donation.id}&sig=forged`,
      params: { slug: campaign.slug },
    })
    expect(forged.status).toBe(404)
    expect(forged.data.donation).toBeNull()
  })
})

describe('/donations/:id/manage', () => {
  async function activeMonthlyGift() {
    const gift = await startGift(fake, { frequency: 'monthly', amount: '1000' })
    // Pay through the fake's own pay page, so the subscription exists there.
    fake.state.webhookUrl = undefined
    const paid = await fetch(gift.session.url, { method: 'POST', redirect: 'manual' })
    expect(paid.status).toBe(303)
    const session = fake.sessions.get(gift.session.id)!
    await deliver(events.checkoutCompleted(session, { subscription: session.subscription!, customer: session.customer! }))
    await deliver(events.invoice('invoice.paid', { subscription: session.subscription!, metadata: { donation_id: gift.donation.id }, amount: 1000 }))
    return { ...gift, subscription: session.subscription! }
  }

  it('cancels the monthly gift through Stripe’s API with a POST, then shows it cancelled', async () => {
    const { donation, subscription } = await activeMonthlyGift()
    const { signDonationManage } = await import('~/models/donation.server')
    const sig = signDonationManage(donation.id)
    const page = await callRoute(manageLoader, { url: `/donations/${donation.id}/manage?sig=${sig}`, params: { id: donation.id } })
    expect(page.data).toMatchObject({ view: 'active', donation: { amountMinor: 1000, currency: 'EUR' } })

    const cancelled = await callRoute(manageAction, {
      url: `/donations/${donation.id}/manage?sig=${sig}`,
      method: 'POST',
      body: form({ sig, intent: 'cancel' }),
      params: { id: donation.id },
    })
    expect(cancelled.status).toBe(303)
    expect(cancelled.headers.get('Location')).toBe(`/donations/${donation.id}/manage?sig=${sig}`)
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toMatchObject([{ path: `/v1/subscriptions/${subscription}` }])
    expect(await donationRow(donation.id)).toMatchObject({ status: 'cancelled' })
    const after = await callRoute(manageLoader, { url: `/donations/${donation.id}/manage?sig=${sig}`, params: { id: donation.id } })
    expect(after.data.view).toBe('cancelled')

    // Stripe's own event for the same cancellation changes nothing more.
    await deliver(events.subscriptionDeleted(subscription, { donation_id: donation.id }))
    expect(await donationRow(donation.id)).toMatchObject({ status: 'cancelled' })
  })

  it('opens a billing portal session for the donor’s customer', async () => {
    const { donation } = await activeMonthlyGift()
    const { signDonationManage } = await import('~/models/donation.server')
    const sig = signDonationManage(donation.id)
    const response = await callRoute(manageAction, {
      url: `/donations/${donation.id}/manage`,
      method: 'POST',
      body: form({ sig, intent: 'portal' }),
      params: { id: donation.id },
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('Location')).toMatch(new RegExp(`^${fake.url}/portal/bps_`))
    const [portal] = fake.requests.filter((r) => r.path === '/v1/billing_portal/sessions')
    expect(portal!.body).toMatchObject({
      customer: (await donationRow(donation.id)).stripe_customer_id,
      return_url: `http://localhost:3000/donations/${donation.id}/manage?sig=${sig}`,
    })
  })

  it('refuses a wrong signature on the page and on the button', async () => {
    const { donation } = await activeMonthlyGift()
    const page = await callRoute(manageLoader, { url: `/donations/${donation.id}/manage?sig=wrong`, params: { id: donation.id } })
    expect(page.status).toBe(404)
    const posted = await callRoute(manageAction, {
      url: `/donations/${donation.id}/manage`,
      method: 'POST',
      body: form({ sig: 'wrong', intent: 'cancel' }),
      params: { id: donation.id },
    })
    expect(posted.status).toBe(403)
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([])
    expect((await donationRow(donation.id)).status).toBe('active')
  })
})
