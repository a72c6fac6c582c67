import crypto from 'node:crypto'
import { resetEnv } from '~/utils/env.server'
import { action as webhookAction } from '~/routes/webhooks.resend'
import { callRoute } from './routes'

// Resend's webhooks, signed for real the Svix (Standard Webhooks) way, independently of the SDK
// that verifies them: base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` keyed with the bytes
// of the secret after `whsec_`, sent as `v1,<signature>`.

export const FAKE_RESEND_WEBHOOK_SECRET = `whsec_${Buffer.from('chorus-test-resend-webhook-secret').toString('base64')}`

/** Points the app at the test secret (call in beforeEach: the database setup resets the env). */
export function useResendWebhookSecret(secret = FAKE_RESEND_WEBHOOK_SECRET) {
  process.env.RESEND_WEBHOOK_SECRET = secret
  resetEnv()
}

export function forgetResendWebhookSecret() {
  delete process.env.RESEND_WEBHOOK_SECRET
  resetEnv()
}

export function signResendPayload(body: string, { id, timestamp, secret = FAKE_RESEND_WEBHOOK_SECRET }: { id: string; timestamp: number; secret?: string }) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const signature = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')
  return `v1,${signature}`
}

let counter = 0
export const nextSvixId = () => `msg_test_${Date.now().toString(36)}${(++counter).toString(36)}`

/** An event as Resend sends it, about the email Resend knows as `emailId`. */
export function resendEvent(type: string, emailId: string, extra: { createdAt?: Date; data?: Record<string, unknown> } = {}) {
  return {
    type,
    created_at: (extra.createdAt ?? new Date()).toISOString(),
    data: {
      created_at: new Date().toISOString(),
      email_id: emailId,
      from: 'Chorus <updates@example.org>',
      to: ['someone@example.org'],
      subject: 'An update',
      ...extra.data,
    },
  }
}

/** Posts an event to POST /webhooks/resend, signed for real unless told otherwise. */
export async function deliverResend(
  event: unknown,
  options: { id?: string; timestamp?: number; secret?: string; signature?: string | null; body?: string } = {},
) {
  const id = options.id ?? nextSvixId()
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
  const body = options.body ?? JSON.stringify(event)
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'svix-id': id, 'svix-timestamp': String(timestamp) }
  const signature = options.signature === undefined ? signResendPayload(body, { id, timestamp, secret: options.secret }) : options.signature
  if (signature !== null) headers['svix-signature'] = signature
  return await callRoute(webhookAction, { url: '/webhooks/resend', method: 'POST', body, headers })
}
