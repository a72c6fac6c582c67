import http from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'

/**
 * A fake of the parts of Stripe's HTTP API that Chorus uses (the SDK is pointed at it with
 * STRIPE_API_BASE_URL): Checkout Sessions, cancelling a subscription, billing portal sessions and
 * invoice payments. It records every request. A session's `url` is a pay page served here: its
 * "Pay" form (a plain POST, no JavaScript) sends correctly signed webhooks to the app, as Stripe
 * would, then redirects to the session's `success_url`.
 */

export interface RecordedStripeRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: Record<string, any>
}

export const FAKE_STRIPE_KEY = 'sk_test_fake_chorus'
export const FAKE_WEBHOOK_SECRET = 'whsec_fake_chorus_0123456789'

/** Parses Stripe's form encoding (`a[b][0][c]=1`) into nested objects and arrays. */
export function parseStripeForm(text: string): Record<string, any> {
  const root: Record<string, any> = {}
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.replace(/\]/g, '').split('[')
    let node: any = root
    parts.forEach((part, index) => {
      const last = index === parts.length - 1
      const nextIsIndex = !last && /^\d+$/.test(parts[index + 1]!)
      if (last) node[part] = value
      else node = node[part] ??= nextIsIndex ? [] : {}
    })
  }
  return root
}

/** A Stripe event around an object, as delivered to webhooks. */
export function stripeEvent<T extends { object?: string }>(type: string, object: T, options: { id?: string; created?: number } = {}) {
  return {
    id: options.id ?? `evt_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: options.created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  }
}

/** The payload and Stripe-Signature header for an event, signed with the SDK's own test helper. */
export function signStripePayload(payload: string, options: { secret?: string; timestamp?: number } = {}) {
  const header = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? FAKE_WEBHOOK_SECRET,
    timestamp: options.timestamp,
  })
  return { payload, header }
}

interface FakeSession {
  id: string
  object: 'checkout.session'
  mode: 'payment' | 'subscription'
  status: 'open' | 'complete' | 'expired'
  payment_status: 'unpaid' | 'paid'
  url: string
  client_reference_id: string | null
  metadata: Record<string, string>
  customer_email: string | null
  customer: string | null
  subscription: string | null
  payment_intent: string | null
  amount_total: number
  currency: string
  success_url: string
  cancel_url: string
  submit_type: string | null
  locale: string | null
  // Kept for building the subscription's events.
  subscription_metadata: Record<string, string>
  product_name: string
}

export interface FakeStripeOptions {
  /** The app's webhook endpoint; the pay page posts events here. */
  webhookUrl?: string
  secret?: string
}

export async function startFakeStripe(options: FakeStripeOptions = {}) {
  const requests: RecordedStripeRequest[] = []
  const sessions = new Map<string, FakeSession>()
  const subscriptions = new Map<string, { id: string; customer: string; metadata: Record<string, string>; status: string; canceled_at: number | null }>()
  const invoicesByPaymentIntent = new Map<string, string>()
  const idempotent = new Map<string, unknown>()
  const delivered: { type: string; status: number }[] = []
  const state = {
    webhookUrl: options.webhookUrl,
    secret: options.secret ?? FAKE_WEBHOOK_SECRET,
    /** 'invoice-first' delivers a monthly gift's invoice.paid before its checkout.session.completed. */
    order: 'normal' as 'normal' | 'invoice-first',
    failNext: 0,
  }
  let sequence = 0
  const nextId = (prefix: string) => `${prefix}_fake${(++sequence).toString().padStart(6, '0')}`
  let base = ''

  async function deliver(event: ReturnType<typeof stripeEvent>) {
    if (!state.webhookUrl) return
    const payload = JSON.stringify(event)
    const { header } = signStripePayload(payload, { secret: state.secret })
    const response = await fetch(state.webhookUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Stripe-Signature': header, 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
      body: payload,
    })
    delivered.push({ type: event.type, status: response.status })
    if (response.status !== 200) throw new Error(`webhook ${event.type} answered ${response.status}: ${await response.text()}`)
  }

  /** What Stripe sends when the donor pays: the completed session, and for a subscription its first paid invoice. */
  function eventsForPayment(session: FakeSession) {
    const now = Math.floor(Date.now() / 1000)
    session.status = 'complete'
    session.payment_status = 'paid'
    session.customer ??= nextId('cus')
    const events: ReturnType<typeof stripeEvent>[] = []
    if (session.mode === 'payment') {
      session.payment_intent ??= nextId('pi')
      events.push(stripeEvent('checkout.session.completed', publicSession(session), { created: now }))
    } else {
      const subscriptionId = (session.subscription ??= nextId('sub'))
      subscriptions.set(subscriptionId, {
        id: subscriptionId,
        customer: session.customer,
        metadata: session.subscription_metadata,
        status: 'active',
        canceled_at: null,
      })
      const paymentIntent = nextId('pi')
      const invoiceId = nextId('in')
      invoicesByPaymentIntent.set(paymentIntent, invoiceId)
      const invoice = {
        id: invoiceId,
        object: 'invoice',
        customer: session.customer,
        currency: session.currency,
        amount_due: session.amount_total,
        amount_paid: session.amount_total,
        status: 'paid',
        created: now,
        status_transitions: { paid_at: now, finalized_at: now },
        billing_reason: 'subscription_create',
        parent: {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: { subscription: subscriptionId, metadata: session.subscription_metadata },
        },
      }
      const completed = stripeEvent('checkout.session.completed', publicSession(session), { created: now })
      const paid = stripeEvent('invoice.paid', invoice, { created: now })
      events.push(...(state.order === 'invoice-first' ? [paid, completed] : [completed, paid]))
    }
    return events
  }

  function publicSession(session: FakeSession) {
    const { subscription_metadata: _m, product_name: _p, ...rest } = session
    return rest
  }

  const server = http.createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      handle(req, res, raw).catch((error) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' })
        res.end(String(error?.stack ?? error))
      })
    })
  })

  function reply(res: http.ServerResponse, status: number, payload: unknown) {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': nextId('req') })
    res.end(JSON.stringify(payload))
  }

  function html(res: http.ServerResponse, status: number, body: string) {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' })
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fake Stripe Checkout</title></head><body><main>${body}</main></body></html>`)
  }

  const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const url = new URL(req.url ?? '/', base)
    const path = url.pathname
    const method = req.method ?? 'GET'

    // The pages a browser sees (not part of the API).
    const payPage = path.match(/^\/pay\/(cs_[\w]+)$/)
    if (payPage) {
      const session = sessions.get(payPage[1]!)
      if (!session) return html(res, 404, '<h1>Unknown session</h1>')
      if (method === 'GET') {
        const amount = (session.amount_total / (['jpy', 'krw'].includes(session.currency) ? 1 : 100)).toFixed(['jpy', 'krw'].includes(session.currency) ? 0 : 2)
        return html(
          res,
          200,
          `<h1>Fake Stripe Checkout</h1>
          <p>${escapeHtml(session.product_name)}</p>
          <p id="amount">${amount} ${session.currency.toUpperCase()}${session.mode === 'subscription' ? ' per month' : ''}</p>
          <form method="post" action="/pay/${session.id}"><button type="submit">Pay</button></form>
          <p><a href="${escapeHtml(session.cancel_url)}">Back</a></p>`,
        )
      }
      if (method === 'POST') {
        if (session.status !== 'complete') {
          for (const event of eventsForPayment(session)) await deliver(event)
        }
        res.writeHead(303, { Location: session.success_url })
        return res.end()
      }
    }
    const portalPage = path.match(/^\/portal\/(bps_[\w]+)$/)
    if (portalPage) {
      const returnUrl = url.searchParams.get('return_url') ?? '/'
      return html(res, 200, `<h1>Fake billing portal</h1><p><a href="${escapeHtml(returnUrl)}">Return</a></p>`)
    }

    // The API.
    const body = parseStripeForm(raw || url.search.slice(1))
    requests.push({ method, path, headers: req.headers, body })
    if (req.headers.authorization !== `Bearer ${FAKE_STRIPE_KEY}`) {
      return reply(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } })
    }
    if (state.failNext > 0) {
      state.failNext--
      return reply(res, 500, { error: { type: 'api_error', message: 'Stripe is having a bad day' } })
    }
    const key = req.headers['idempotency-key']
    const idempotencyKey = typeof key === 'string' ? `${method} ${path} ${key}` : null
    if (idempotencyKey && idempotent.has(idempotencyKey)) return reply(res, 200, idempotent.get(idempotencyKey))
    const remember = (payload: unknown) => {
      if (idempotencyKey) idempotent.set(idempotencyKey, payload)
      return reply(res, 200, payload)
    }

    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const item = body.line_items?.[0]
      const id = nextId('cs_test')
      const session: FakeSession = {
        id,
        object: 'checkout.session',
        mode: body.mode,
        status: 'open',
        payment_status: 'unpaid',
        url: `${base}/pay/${id}`,
        client_reference_id: body.client_reference_id ?? null,
        metadata: body.metadata ?? {},
        customer_email: body.customer_email ?? null,
        customer: null,
        subscription: null,
        payment_intent: null,
        amount_total: Number(item?.price_data?.unit_amount ?? 0) * Number(item?.quantity ?? 1),
        currency: item?.price_data?.currency ?? 'eur',
        success_url: body.success_url,
        cancel_url: body.cancel_url,
        submit_type: body.submit_type ?? null,
        locale: body.locale ?? null,
        subscription_metadata: body.subscription_data?.metadata ?? {},
        product_name: item?.price_data?.product_data?.name ?? '',
      }
      sessions.set(id, session)
      return remember(publicSession(session))
    }
    const sessionPath = path.match(/^\/v1\/checkout\/sessions\/([\w]+)$/)
    if (method === 'GET' && sessionPath) {
      const session = sessions.get(sessionPath[1]!)
      return session
        ? reply(res, 200, publicSession(session))
        : reply(res, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such checkout session' } })
    }
    const subscriptionPath = path.match(/^\/v1\/subscriptions\/([\w]+)$/)
    if (subscriptionPath) {
      const subscription = subscriptions.get(subscriptionPath[1]!)
      if (!subscription) return reply(res, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such subscription' } })
      if (method === 'GET') return reply(res, 200, { object: 'subscription', ...subscription })
      if (method === 'DELETE') {
        const wasActive = subscription.status !== 'canceled'
        subscription.status = 'canceled'
        subscription.canceled_at ??= Math.floor(Date.now() / 1000)
        const payload = { object: 'subscription', ...subscription }
        remember(payload)
        // Stripe tells the webhook too, a moment later.
        if (wasActive) setTimeout(() => deliver(stripeEvent('customer.subscription.deleted', payload)).catch(() => {}), 50)
        return
      }
    }
    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      const id = nextId('bps')
      return remember({
        id,
        object: 'billing_portal.session',
        customer: body.customer,
        return_url: body.return_url,
        url: `${base}/portal/${id}?return_url=${encodeURIComponent(body.return_url ?? '')}`,
      })
    }
    if (method === 'GET' && path === '/v1/invoice_payments') {
      const paymentIntent = body.payment?.payment_intent as string | undefined
      const invoice = paymentIntent ? invoicesByPaymentIntent.get(paymentIntent) : undefined
      return reply(res, 200, {
        object: 'list',
        url: '/v1/invoice_payments',
        has_more: false,
        data: invoice
          ? [{ id: nextId('inpay'), object: 'invoice_payment', invoice, status: 'paid', payment: { type: 'payment_intent', payment_intent: paymentIntent } }]
          : [],
      })
    }
    return reply(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path})` } })
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  base = `http://127.0.0.1:${port}`
  return {
    url: base,
    secretKey: FAKE_STRIPE_KEY,
    webhookSecret: state.secret,
    requests,
    delivered,
    sessions,
    state,
    /** Link an invoice to the payment intent that paid it (for invoice_payments lookups). */
    linkInvoicePayment(paymentIntent: string, invoiceId: string) {
      invoicesByPaymentIntent.set(paymentIntent, invoiceId)
    },
    /** Forgets requests and idempotency keys (tests truncate the database, so donation ids repeat). */
    reset() {
      requests.length = 0
      delivered.length = 0
      idempotent.clear()
      state.order = 'normal'
      state.failNext = 0
    },
    checkoutRequests: () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>
