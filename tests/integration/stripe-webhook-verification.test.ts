import { describe, expect, it } from 'vitest'
import { deliver, donationRow, events, paymentsOf, startGift } from '../support/donations'
import { stripeEvent } from '../support/fake-stripe'
import { storedEvents, withFakeStripe } from '../support/stripe-webhooks'

const fakeStripe = withFakeStripe()

describe('POST /webhooks/stripe: verification', () => {
  it('refuses a bad signature with 400 and writes nothing', async () => {
    const { donation, session } = await startGift(fakeStripe())
    const response = await deliver(events.checkoutCompleted(session), { secret: 'whsec_not_the_right_one' })
    expect(response.status).toBe(400)
    expect(await storedEvents()).toEqual([])
    expect(await paymentsOf(donation.id)).toEqual([])
    expect((await donationRow(donation.id)).status).toBe('pending')
  })

  it('refuses a missing signature and a tampered body', async () => {
    const { donation, session } = await startGift(fakeStripe())
    expect((await deliver(events.checkoutCompleted(session), { header: null })).status).toBe(400)
    // A header signed for one body, sent with another.
    const signedFor = events.checkoutCompleted(session, { payment_intent: 'pi_small' })
    const { signStripePayload } = await import('../support/fake-stripe')
    const { header } = signStripePayload(JSON.stringify({ ...signedFor, data: { object: { ...signedFor.data.object, amount_total: 1 } } }))
    expect((await deliver(signedFor, { header })).status).toBe(400)
    expect(await storedEvents()).toEqual([])
    expect(await paymentsOf(donation.id)).toEqual([])
  })

  it('refuses a correctly signed but stale delivery (older than the five-minute tolerance)', async () => {
    const { donation, session } = await startGift(fakeStripe())
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600
    const response = await deliver(events.checkoutCompleted(session), { timestamp: tenMinutesAgo })
    expect(response.status).toBe(400)
    expect(await storedEvents()).toEqual([])
    expect(await paymentsOf(donation.id)).toEqual([])
  })

  it('refuses a correctly signed delivery dated in the future (beyond the tolerance), as well as a stale one', async () => {
    const { donation, session } = await startGift(fakeStripe())
    const tenMinutesAhead = Math.floor(Date.now() / 1000) + 600
    expect((await deliver(events.checkoutCompleted(session), { timestamp: tenMinutesAhead })).status).toBe(400)
    // Within the tolerance either way (a clock a little off) is fine.
    const twoMinutesAhead = Math.floor(Date.now() / 1000) + 120
    expect(await storedEvents()).toEqual([])
    expect(await paymentsOf(donation.id)).toEqual([])
    expect((await deliver(events.checkoutCompleted(session), { timestamp: twoMinutesAhead })).status).toBe(200)
  })

  it('answers a correctly signed but malformed event with 400 and writes nothing', async () => {
    const { donation, session } = await startGift(fakeStripe())
    const good = events.checkoutCompleted(session)
    const malformed: { id: string; type: string }[] = [
      { id: 'evt_no_data', type: 'checkout.session.completed' },
      { ...good, id: 'evt_no_object', data: {} } as never,
      { ...good, id: 'evt_object_is_text', data: { object: 'session' } } as never,
      { ...good, id: 'evt_amount_text', data: { object: { ...good.data.object, amount_total: 'a lot' } } } as never,
      { ...good, id: 'evt_metadata_array', data: { object: { ...good.data.object, metadata: [1, 2] } } } as never,
      { ...good, id: 'evt_nul', data: { object: { ...good.data.object, client_reference_id: `x\u0000y` } } } as never,
      { ...good, id: 'evt_no_created', created: 'yesterday' } as never,
      { id: 12 as never, type: 'charge.refunded' },
      { ...stripeEvent('charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: 'pi_1' }), id: 'evt_refund_no_amount' },
      {
        ...stripeEvent('charge.dispute.created', { id: 'dp_1', object: 'dispute', charge: { no: 'id' }, status: 'needs_response' }),
        id: 'evt_dispute_bad_charge',
      },
    ]
    for (const event of malformed) {
      const response = await deliver(event)
      expect(response.status, JSON.stringify(event).slice(0, 80)).toBe(400)
    }
    // A body that is signed but not JSON at all.
    const { signStripePayload } = await import('../support/fake-stripe')
    const { header } = signStripePayload('{"id": "evt_cut", "type": "checkout.sess')
    const { callRoute } = await import('../support/routes')
    const { action } = await import('~/routes/webhooks.stripe')
    const cut = await callRoute(action, {
      url: '/webhooks/stripe',
      method: 'POST',
      body: '{"id": "evt_cut", "type": "checkout.sess',
      headers: { 'Stripe-Signature': header },
    })
    expect(cut.status).toBe(400)
    expect(await storedEvents()).toEqual([])
    expect(await paymentsOf(donation.id)).toEqual([])
    expect((await donationRow(donation.id)).status).toBe('pending')
  })

  it('acknowledges and ignores an unknown event type', async () => {
    const event = stripeEvent('customer.created', { id: 'cus_1', object: 'customer' })
    const response = await deliver(event)
    expect(response.status).toBe(200)
    expect(response.data).toMatchObject({ received: true, outcome: 'ignored' })
    expect(await storedEvents()).toMatchObject([{ id: event.id, type: 'customer.created', processed: true, payload: null }])
  })
})

describe('the web server with Stripe configured', () => {
  it('lets form posts redirect to Stripe Checkout and the billing portal (form-action), and nowhere else', async () => {
    const http = await import('node:http')
    const { createApp } = await import('../../server/app')
    const { getEnv } = await import('~/utils/env.server')
    const app = createApp({ env: getEnv(), mode: 'production', build: async () => ({}) as never })
    const server = http.createServer(app)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as { port: number }
      const response = await fetch(`http://127.0.0.1:${port}/healthz`)
      const formAction = response.headers
        .get('content-security-policy')!
        .split('; ')
        .find((d) => d.startsWith('form-action'))
      expect(formAction).toBe(`form-action 'self' https://checkout.stripe.com https://billing.stripe.com ${fakeStripe().url}`)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
