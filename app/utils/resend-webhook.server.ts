import { Resend } from 'resend'
import { getEnv } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'

// Resend signs its webhooks the Svix (Standard Webhooks) way: an HMAC-SHA256 of
// `${svix-id}.${svix-timestamp}.${raw body}` keyed with RESEND_WEBHOOK_SECRET, and a timestamp
// that must be within five minutes of now. The SDK's verify does both checks.

/** What the route needs from a verified delivery: its id (for deduplication) and the event. */
export interface VerifiedResendEvent {
  svixId: string
  event: { type: string; created_at?: string; data?: Record<string, unknown> }
}

export function isResendWebhookConfigured(): boolean {
  return Boolean(getEnv().RESEND_WEBHOOK_SECRET)
}

// Verification needs no API key, but the SDK's constructor asks for one.
let verifier: Resend | undefined

/** The event a delivery carries, or null when it is unsigned, forged, altered, stale or not JSON. */
export function verifyResendWebhook(rawBody: string, headers: Headers): VerifiedResendEvent | null {
  const secret = getEnv().RESEND_WEBHOOK_SECRET
  const id = headers.get('svix-id')
  const timestamp = headers.get('svix-timestamp')
  const signature = headers.get('svix-signature')
  if (!secret || !id || !timestamp || !signature) return null
  verifier ??= new Resend('re_webhook_verification_only')
  try {
    const event = verifier.webhooks.verify({ payload: rawBody, headers: { id, timestamp, signature }, webhookSecret: secret }) as unknown
    if (!event || typeof event !== 'object' || typeof (event as { type?: unknown }).type !== 'string') return null
    return { svixId: id, event: event as VerifiedResendEvent['event'] }
  } catch (error) {
    logger.debug({ err: error }, 'resend webhook verification failed')
    return null
  }
}
