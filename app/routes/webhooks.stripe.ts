import type { ActionFunctionArgs } from '@remix-run/node'
import { processStripeEvent } from '~/models/stripe-event.server'
import { isWellFormedStripeEvent } from '~/models/stripe-event-schema'
import { readBodyWithin } from '~/utils/form.server'
import { logger } from '~/utils/logger.server'
import { isStripeConfigured, verifyWebhook } from '~/utils/stripe.server'

const HEADERS = { 'Cache-Control': 'no-store' }
/** Stripe's events are a few KB; the server refuses more than 1 MB on /webhooks/ anyway. */
const MAX_BODY_BYTES = 1024 * 1024

/**
 * Stripe's webhook endpoint. The signature is checked against the raw body before anything is
 * read from it; a forged, altered or stale delivery gets 400 and writes nothing. A failure to
 * record answers 500, so Stripe delivers the event again later; a signed event of a shape we
 * cannot record answers 400.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== 'POST') {
    return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { ...HEADERS, Allow: 'POST' } })
  }
  if (!isStripeConfigured()) {
    return Response.json({ error: 'donations_not_configured' }, { status: 404, headers: HEADERS })
  }
  let rawBody: string
  try {
    rawBody = (await readBodyWithin(request, MAX_BODY_BYTES)).toString('utf8')
  } catch {
    return Response.json({ error: 'too_large' }, { status: 413, headers: HEADERS })
  }
  const event = verifyWebhook(rawBody, request.headers.get('Stripe-Signature'))
  if (!event) {
    logger.warn({ hasSignature: request.headers.has('Stripe-Signature') }, 'stripe webhook refused: bad signature')
    return Response.json({ error: 'invalid_signature' }, { status: 400, headers: HEADERS })
  }
  // Signed by Stripe, but not of a shape we can record (or holding a NUL, which PostgreSQL
  // refuses): 400, so it is neither half-applied nor retried for days.
  if (!isWellFormedStripeEvent(event) || /\\u0000/i.test(rawBody)) {
    logger.warn({ eventId: typeof event.id === 'string' ? event.id.slice(0, 255) : null }, 'stripe webhook refused: malformed event')
    return Response.json({ error: 'malformed_event' }, { status: 400, headers: HEADERS })
  }
  try {
    const outcome = await processStripeEvent(event)
    logger.info({ eventId: event.id, type: event.type, outcome }, 'stripe webhook')
    return Response.json({ received: true, outcome }, { headers: HEADERS })
  } catch (error) {
    logger.error({ err: error, eventId: event.id, type: event.type }, 'stripe webhook could not be recorded')
    return Response.json({ error: 'not_recorded' }, { status: 500, headers: HEADERS })
  }
}

export function loader() {
  return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { ...HEADERS, Allow: 'POST' } })
}
