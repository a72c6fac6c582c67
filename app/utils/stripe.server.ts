import Stripe from 'stripe'
import { getEnv } from '~/utils/env.server'

export type { Stripe }

const globalForStripe = globalThis as unknown as { __chorusStripe?: { key: string; base?: string; client: Stripe } }

/** Donations are on when both Stripe keys are set. */
export function isStripeConfigured(): boolean {
  const env = getEnv()
  return Boolean(env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET)
}

/** The SDK's host/port/protocol options from STRIPE_API_BASE_URL (tests, Stripe-compatible local servers). */
export function stripeHostOptions(baseUrl: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!baseUrl) return {}
  const url = new URL(baseUrl)
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol }
}

/** The Stripe client, or null when donations are not configured on this site. */
export function getStripe(): Stripe | null {
  const env = getEnv()
  const key = env.STRIPE_SECRET_KEY
  if (!key || !env.STRIPE_WEBHOOK_SECRET) return null
  const cached = globalForStripe.__chorusStripe
  if (cached && cached.key === key && cached.base === env.STRIPE_API_BASE_URL) return cached.client
  const client = new Stripe(key, {
    ...stripeHostOptions(env.STRIPE_API_BASE_URL),
    // A retried request carries the same idempotency key, so Stripe never creates a session twice.
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    appInfo: { name: 'Chorus' },
  })
  globalForStripe.__chorusStripe = { key, base: env.STRIPE_API_BASE_URL, client }
  return client
}

export function requireStripe(): Stripe {
  const stripe = getStripe()
  if (!stripe) throw new Error('Stripe is not configured (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET)')
  return stripe
}

/** How far a delivery's signed timestamp may be from our clock, either way (Stripe's default). */
export const WEBHOOK_TOLERANCE_SECONDS = 300

/**
 * Verifies a webhook delivery against the raw body and returns the event, or null when the
 * signature is missing or wrong, or its timestamp is more than five minutes from now in either
 * direction: the SDK refuses only old ones, and a future timestamp would keep a captured delivery
 * replayable until then.
 */
export function verifyWebhook(rawBody: string, signatureHeader: string | null, now = Date.now()): Stripe.Event | null {
  const env = getEnv()
  const secret = env.STRIPE_WEBHOOK_SECRET
  if (!secret || !signatureHeader || signatureHeader.length > 4096) return null
  const signedAt = /(?:^|,)\s*t=(\d{1,12})(?:,|$)/.exec(signatureHeader)
  if (!signedAt || Math.abs(Math.floor(now / 1000) - Number(signedAt[1])) > WEBHOOK_TOLERANCE_SECONDS) return null
  try {
    // constructEvent needs no API key: a keyless client is enough, even if the secret key is missing.
    return Stripe.webhooks.constructEvent(rawBody, signatureHeader, secret, WEBHOOK_TOLERANCE_SECONDS)
  } catch {
    return null
  }
}
