import { Resend } from 'resend'
import { getEnv } from '~/utils/env.server'
import { hasLineBreak } from '~/utils/text'

/** An email rendered for one recipient (the outbox's renderers build these). */
export interface OutgoingEmail {
  to: string
  /** The From header, from emailFrom() (app/utils/email-sender.server.ts); EMAIL_FROM when absent. */
  from?: string
  template: string
  locale: string
  subject: string
  html: string
  text: string
  headers?: Record<string, string>
  signatureId?: string | null
  campaignId?: string | null
}

export class EmailSendError extends Error {
  constructor(
    message: string,
    public readonly statusCode?: number | null,
    /** Resend's error name, e.g. `rate_limit_exceeded`, `invalid_idempotent_request`. */
    public readonly code?: string | null,
    /** How long the provider asked us to wait (retry-after or ratelimit-reset), if it said. */
    public readonly retryAfterMs?: number | null,
  ) {
    super(message)
    this.name = 'EmailSendError'
  }
}

const globalForResend = globalThis as unknown as { __chorusResend?: { key: string; base?: string; client: Resend } }

function resendClient(): Resend {
  const env = getEnv()
  const key = env.RESEND_API_KEY
  if (!key) throw new EmailSendError('RESEND_API_KEY is not set')
  const cached = globalForResend.__chorusResend
  if (cached && cached.key === key && cached.base === env.RESEND_BASE_URL) return cached.client
  const client = new Resend(key, env.RESEND_BASE_URL ? { baseUrl: env.RESEND_BASE_URL } : undefined)
  globalForResend.__chorusResend = { key, base: env.RESEND_BASE_URL, client }
  return client
}

/**
 * A header value on one line. The forms refuse line breaks in everything that becomes a header
 * (subjects, names); this is the last line of defence, so no stored value can add a header.
 */
export function oneLine(value: string): string {
  return hasLineBreak(value) ? value.replace(/[\r\n\u0085\u2028\u2029]+/g, ' ') : value
}

/** What Resend is sent for one email. */
function resendMessage(email: { to: string; from?: string; subject: string; html: string; text: string; headers?: Record<string, string> }) {
  return {
    from: oneLine(email.from ?? getEnv().EMAIL_FROM),
    to: [oneLine(email.to)],
    subject: oneLine(email.subject),
    html: email.html,
    text: email.text,
    headers: email.headers && Object.fromEntries(Object.entries(email.headers).map(([key, value]) => [oneLine(key), oneLine(value)])),
  }
}

/** Resend reports errors in its return value: one error type for the sender to judge. */
function resendFailure(error: { name: string; message: string } | null, headers: Record<string, string> | null): EmailSendError {
  if (!error) return new EmailSendError('Resend returned no data')
  const statusCode = 'statusCode' in error ? (error.statusCode as number | null) : null
  return new EmailSendError(`${error.name}: ${error.message}`, statusCode, error.name, waitAskedFor(headers))
}

/**
 * How long the provider asks us to wait, in ms: `retry-after` (seconds or an HTTP date), else
 * `ratelimit-reset` (seconds until the window resets), or null when it says nothing.
 */
export function waitAskedFor(headers: Record<string, string> | null | undefined, now = Date.now()): number | null {
  if (!headers) return null
  const get = (name: string) =>
    Object.entries(headers)
      .find(([key]) => key.toLowerCase() === name)?.[1]
      ?.trim()
  const retryAfter = get('retry-after')
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.min(Number(retryAfter) * 1000, 3_600_000)
    const at = Date.parse(retryAfter)
    if (!Number.isNaN(at)) return Math.min(Math.max(at - now, 0), 3_600_000)
  }
  const reset = get('ratelimit-reset') ?? get('x-ratelimit-reset')
  if (reset && /^\d+(\.\d+)?$/.test(reset)) return Math.min(Number(reset) * 1000, 3_600_000)
  return null
}

/** After an accepted request: the wait before the next, when the provider says none is left. */
function waitWhenExhausted(headers: Record<string, string> | null | undefined): number | null {
  if (!headers) return null
  const remaining = Object.entries(headers).find(([key]) => key.toLowerCase() === 'ratelimit-remaining')?.[1]
  if (remaining === undefined || remaining.trim() !== '0') return null
  return waitAskedFor(Object.fromEntries(Object.entries(headers).filter(([key]) => key.toLowerCase() !== 'retry-after')))
}

/** One email of a batch: an email_messages row (`messageId`). */
export interface BatchEmail {
  messageId: string
  to: string
  /** The From header, from emailFrom(); EMAIL_FROM when absent. */
  from?: string
  subject: string
  html: string
  text: string
  headers?: Record<string, string>
}

/** Resend's limit on the emails of one batch request. */
export const BATCH_LIMIT = 100

/**
 * Sends up to 100 emails in one request to Resend's batch endpoint, under one idempotency key:
 * a batch sent again after a crash is dropped by Resend, which answers with the first ids.
 * Returns the provider ids in the order of `emails`; `keepBodies` says the transport is the
 * development mailbox, whose bodies the caller keeps on the rows; `waitMs` is how long the
 * provider asks us to pause before the next request (none left in its window). Recording the
 * rows is the caller's; errors throw EmailSendError.
 */
export async function sendEmailBatch(
  emails: BatchEmail[],
  { idempotencyKey }: { idempotencyKey: string },
): Promise<{ providerIds: (string | null)[]; keepBodies: boolean; waitMs: number | null }> {
  if (emails.length === 0) return { providerIds: [], keepBodies: false, waitMs: null }
  if (emails.length > BATCH_LIMIT) throw new EmailSendError(`A batch holds at most ${BATCH_LIMIT} emails, not ${emails.length}`)
  const env = getEnv()
  if (env.EMAIL_TRANSPORT === 'mailbox') {
    return { providerIds: emails.map((e) => `mailbox-${e.messageId}`), keepBodies: true, waitMs: null }
  }
  const { data, error, headers } = await resendClient().batch.send(emails.map(resendMessage), { idempotencyKey })
  if (error || !data) throw resendFailure(error, headers)
  // Resend answers with the ids in the order of the request.
  return { providerIds: emails.map((_, i) => data.data[i]?.id ?? null), keepBodies: false, waitMs: waitWhenExhausted(headers) }
}
