import { sql } from 'kysely'
import { z } from 'zod'
import type { EmailStatus, SuppressionReason } from '#db/types'
import { open } from '~/models/data-key.server'
import { suppress } from '~/models/email-preferences.server'
import { getDb } from '~/utils/db.server'
import type { VerifiedResendEvent } from '~/utils/resend-webhook.server'

// What happened to an email after Resend accepted it, from Resend's webhooks (decision 0011).

/**
 * How far along an email is. Events arrive out of order and more than once, so a state only ever
 * moves up this ladder: a late `email.delivered` never undoes a bounce or a complaint.
 */
const STATUS_RANK: Record<EmailStatus, number> = {
  queued: 0,
  sending: 0,
  skipped: 0,
  sent: 1,
  failed: 2,
  delayed: 2,
  delivered: 3,
  bounced: 4,
  complained: 5,
}

/** The email state each event type records; other types (opened, clicked...) are acknowledged and ignored. */
const STATUS_OF_EVENT: Record<string, EmailStatus> = {
  'email.sent': 'sent',
  'email.delivery_delayed': 'delayed',
  'email.delivered': 'delivered',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
  'email.failed': 'failed',
  'email.suppressed': 'failed',
}

export const ResendEmailEventSchema = z.object({
  type: z.string(),
  created_at: z.string().datetime({ offset: true }).optional(),
  data: z
    .object({
      email_id: z.string().min(1).max(200),
      bounce: z.object({ type: z.string().optional() }).passthrough().optional(),
      suppressed: z.object({ type: z.string().optional() }).passthrough().optional(),
    })
    .passthrough(),
})

export type ResendEventOutcome = 'recorded' | 'ignored' | 'unknown-email' | 'duplicate' | 'invalid'

/** The suppression an event calls for: hard bounces and complaints; a soft bounce is only recorded. */
function suppressionReasonOf(event: z.infer<typeof ResendEmailEventSchema>): SuppressionReason | null {
  if (event.type === 'email.complained') return 'complaint'
  if (event.type === 'email.bounced') {
    // Resend's bounce types are SES's: Permanent, Transient, Undetermined. No type: Resend
    // documents email.bounced as a permanent rejection.
    const type = event.data.bounce?.type?.toLowerCase()
    return type === undefined || type === 'permanent' ? 'bounce' : null
  }
  // Resend refused to send to an address on its own suppression list (after a bounce or complaint).
  if (event.type === 'email.suppressed') return event.data.suppressed?.type?.toLowerCase() === 'complaint' ? 'complaint' : 'bounce'
  return null
}

/**
 * Applies one verified Resend webhook delivery exactly once: its svix-id, the email's new state
 * and any suppression are committed together or not at all. A repeated svix-id changes nothing.
 */
export async function processResendEvent({ svixId, event: raw }: VerifiedResendEvent): Promise<ResendEventOutcome> {
  const status = STATUS_OF_EVENT[raw.type]
  const parsed = status ? ResendEmailEventSchema.safeParse(raw) : null
  if (parsed && !parsed.success) return 'invalid'
  const event = parsed?.data ?? null
  const providerId = event?.data.email_id ?? null
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const claimed = await tx
        .insertInto('resend_events')
        .values({ svix_id: svixId, type: raw.type.slice(0, 100), provider_id: providerId, outcome: 'pending' })
        .onConflict((oc) => oc.column('svix_id').doNothing())
        .returning('svix_id')
        .executeTakeFirst()
      if (!claimed) return 'duplicate' as const
      const finish = async (outcome: ResendEventOutcome) => {
        await tx.updateTable('resend_events').set({ outcome }).where('svix_id', '=', svixId).execute()
        return outcome
      }
      if (!event || !status) return await finish('ignored')

      const message = await tx
        .selectFrom('email_messages as m')
        .leftJoin('campaigns as c', 'c.id', 'm.campaign_id')
        .select(['m.id', 'm.status', 'm.recipient', 'c.organisation_id'])
        .where('m.provider_id', '=', event.data.email_id)
        .orderBy('m.id')
        .forUpdate('m')
        .executeTakeFirst()
      if (!message) return await finish('unknown-email')

      const occurredAt = event.created_at ? new Date(event.created_at) : new Date()
      const moves = STATUS_RANK[status] > STATUS_RANK[message.status]
      await tx
        .updateTable('email_messages')
        .set({
          ...(moves ? { status } : {}),
          last_event_at: sql`greatest(last_event_at, ${occurredAt.toISOString()}::timestamptz)`,
          updated_at: sql`now()`,
        })
        .where('id', '=', message.id)
        .execute()

      const reason = suppressionReasonOf(event)
      // A removed supporter's emails keep no address ('redacted'): there is nobody left to protect.
      const recipient = reason && message.organisation_id ? await open(message.recipient, tx) : ''
      if (reason && message.organisation_id && recipient.includes('@')) {
        await suppress(tx, { organisationId: message.organisation_id, email: recipient, reason, emailMessageId: message.id })
      }
      return await finish('recorded')
    })
}
