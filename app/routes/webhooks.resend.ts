import type { ActionFunctionArgs } from '@remix-run/node'
import { processResendEvent } from '~/models/email-delivery.server'
import { readBodyWithin } from '~/utils/form.server'
import { logger } from '~/utils/logger.server'
import { isResendWebhookConfigured, verifyResendWebhook } from '~/utils/resend-webhook.server'

const HEADERS = { 'Cache-Control': 'no-store' }
/** Resend's email events are a few kilobytes; anything far larger is not one of them. */
const MAX_BODY_BYTES = 256 * 1024

/**
 * Resend's webhook endpoint (delivery states, bounces, complaints). The Svix signature is checked
 * against the raw body before anything is read from it; a forged, altered, stale or malformed
 * delivery gets 400 and writes nothing. A failure to record answers 500, so Resend retries.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== 'POST') {
    return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { ...HEADERS, Allow: 'POST' } })
  }
  if (!isResendWebhookConfigured()) {
    return Response.json({ error: 'resend_webhook_not_configured' }, { status: 404, headers: HEADERS })
  }
  let rawBody: string
  try {
    rawBody = (await readBodyWithin(request, MAX_BODY_BYTES)).toString('utf8')
  } catch {
    return Response.json({ error: 'too_large' }, { status: 413, headers: HEADERS })
  }
  const verified = verifyResendWebhook(rawBody, request.headers)
  if (!verified) {
    logger.warn({ hasSignature: request.headers.has('svix-signature') }, 'resend webhook refused: bad signature')
    return Response.json({ error: 'invalid_signature' }, { status: 400, headers: HEADERS })
  }
  try {
    const outcome = await processResendEvent(verified)
    if (outcome === 'invalid') {
      logger.warn({ svixId: verified.svixId, type: verified.event.type }, 'resend webhook refused: malformed event')
      return Response.json({ error: 'invalid_event' }, { status: 400, headers: HEADERS })
    }
    logger.info({ svixId: verified.svixId, type: verified.event.type, outcome }, 'resend webhook')
    return Response.json({ received: true, outcome }, { headers: HEADERS })
  } catch (error) {
    logger.error({ err: error, svixId: verified.svixId, type: verified.event.type }, 'resend webhook could not be recorded')
    return Response.json({ error: 'not_recorded' }, { status: 500, headers: HEADERS })
  }
}

export function loader() {
  return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { ...HEADERS, Allow: 'POST' } })
}
