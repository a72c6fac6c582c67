import { Resend } from 'resend'
import { sql } from 'kysely'
import { getDb } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'

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
 * Sends one email through the configured transport and records it. The idempotency key makes
 * a retried job safe: an email already recorded as sent is not sent again, and Resend itself
 * drops a repeated key. Throws when the provider refuses, so the job is retried with backoff.
 */
export async function sendEmail(email: OutgoingEmail, { idempotencyKey }: { idempotencyKey: string }) {
  const env = getEnv()
  const db = getDb()
  const record = await db
    .insertInto('email_messages')
    .values({
      idempotency_key: idempotencyKey,
      recipient: email.to,
      sender: email.from ?? null,
      template: email.template,
      subject: email.subject,
      locale: email.locale,
      transport: env.EMAIL_TRANSPORT,
      signature_id: email.signatureId ?? null,
      campaign_id: email.campaignId ?? null,
      attempts: 1,
    })
    .onConflict((oc) =>
      oc.column('idempotency_key').doUpdateSet({
        attempts: sql`email_messages.attempts + 1`,
        updated_at: sql`now()`,
      }),
    )
    .returning(['id', 'status'])
    .executeTakeFirstOrThrow()
  if (record.status !== 'sending' && record.status !== 'failed') return { id: record.id, skipped: true }

  if (env.EMAIL_TRANSPORT === 'mailbox') {
    await db
      .updateTable('email_messages')
      .set({
        status: 'sent',
        provider_id: `mailbox-${record.id}`,
        html: email.html,
        text: email.text,
        sent_at: sql`now()`,
        updated_at: sql`now()`,
        error: null,
      })
      .where('id', '=', record.id)
      .execute()
    logger.info({ emailId: record.id, template: email.template }, 'email stored in the development mailbox')
    return { id: record.id, skipped: false }
  }

  const { data, error } = await resendClient().emails.send(resendMessage(email), { idempotencyKey })
  if (error || !data) {
    const failure = resendFailure(error)
    await db
      .updateTable('email_messages')
      .set({ status: 'failed', error: failure.message, updated_at: sql`now()` })
      .where('id', '=', record.id)
      .execute()
    throw failure
  }
  await db
    .updateTable('email_messages')
    .set({ status: 'sent', provider_id: data.id, sent_at: sql`now()`, updated_at: sql`now()`, error: null })
    .where('id', '=', record.id)
    .execute()
  logger.info({ emailId: record.id, template: email.template, providerId: data.id }, 'email sent')
  return { id: record.id, skipped: false }
}

/** What Resend is sent for one email. */
function resendMessage(email: { to: string; from?: string; subject: string; html: string; text: string; headers?: Record<string, string> }) {
  return { from: email.from ?? getEnv().EMAIL_FROM, to: [email.to], subject: email.subject, html: email.html, text: email.text, headers: email.headers }
}

/** Resend reports errors in its return value: one error type for jobs to retry on. */
function resendFailure(error: { name: string; message: string } | null): EmailSendError {
  if (!error) return new EmailSendError('Resend returned no data')
  const statusCode = 'statusCode' in error ? (error.statusCode as number | null) : null
  return new EmailSendError(`${error.name}: ${error.message}`, statusCode, error.name)
}

/** One email of a batch: already recorded as an email_messages row (`messageId`). */
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
 * development mailbox, whose bodies the caller stores on the rows. Recording the rows is the
 * caller's (it counts them in the same transaction); errors throw EmailSendError.
 */
export async function sendEmailBatch(
  emails: BatchEmail[],
  { idempotencyKey }: { idempotencyKey: string },
): Promise<{ providerIds: (string | null)[]; keepBodies: boolean }> {
  if (emails.length === 0) return { providerIds: [], keepBodies: false }
  if (emails.length > BATCH_LIMIT) throw new EmailSendError(`A batch holds at most ${BATCH_LIMIT} emails, not ${emails.length}`)
  const env = getEnv()
  if (env.EMAIL_TRANSPORT === 'mailbox') {
    return { providerIds: emails.map((e) => `mailbox-${e.messageId}`), keepBodies: true }
  }
  const { data, error } = await resendClient().batch.send(emails.map(resendMessage), { idempotencyKey })
  if (error || !data) throw resendFailure(error)
  // Resend answers with the ids in the order of the request.
  return { providerIds: emails.map((_, i) => data.data[i]?.id ?? null), keepBodies: false }
}
