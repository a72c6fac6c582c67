import { sql } from 'kysely'
import type { InvalidationReason, SignatureState } from '#db/types'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { lockCounters, subtractCountedSignature } from '~/models/signature-count.server'
import { emailIndex, open } from '~/models/data-key.server'
import { idSchema, type SupporterListQuery } from '~/models/supporter-schema'
import { getDb, type Executor, type Tx } from '~/utils/db.server'

export const SUPPORTERS_PAGE_SIZE = 50

export interface Supporter {
  id: string
  fullName: string
  email: string
  country: string
  state: SignatureState
  consentUpdates: boolean
  consentShowName: boolean
  createdAt: Date
  confirmedAt: Date | null
  invalidatedAt: Date | null
  invalidationReason: InvalidationReason | null
  /** The contact details were erased (on schedule or on request): name and email are ''. */
  contactErased: boolean
}

const supporterColumns = [
  'id',
  'full_name',
  'email',
  'country',
  'state',
  'consent_updates',
  'consent_show_name',
  'created_at',
  'confirmed_at',
  'invalidated_at',
  'invalidation_reason',
  'contact_erased_at',
] as const

type SupporterRow = {
  id: string
  full_name: string
  email: string
  country: string
  state: SignatureState
  consent_updates: boolean
  consent_show_name: boolean
  created_at: Date
  confirmed_at: Date | null
  invalidated_at: Date | null
  invalidation_reason: InvalidationReason | null
  contact_erased_at: Date | null
}

async function toSupporter(row: SupporterRow, executor: Executor): Promise<Supporter> {
  return {
    id: row.id,
    fullName: await open(row.full_name, executor),
    email: await open(row.email, executor),
    country: row.country.trim(),
    state: row.state,
    consentUpdates: row.consent_updates,
    consentShowName: row.consent_show_name,
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
    invalidatedAt: row.invalidated_at,
    invalidationReason: row.invalidation_reason,
    contactErased: row.contact_erased_at !== null,
  }
}

export interface SupporterPage {
  supporters: Supporter[]
  /** Cursor for the next (older) page, or null on the last page. */
  older: string | null
  /** Cursor for the previous (newer) page, or null on the first page. */
  newer: string | null
}

/**
 * One page of a campaign's signatures, newest first, keyset-paged on id so that page 1,000 is
 * as fast as page 1. Search is a whole address, found through its blind index (the unique
 * index), whatever its dots, case or +tag: names and addresses are sealed (decision 0040).
 */
export async function listSupporters(
  campaignId: string,
  { q, state, after, before }: SupporterListQuery,
  { limit = SUPPORTERS_PAGE_SIZE, executor = getDb() }: { limit?: number; executor?: Executor } = {},
): Promise<SupporterPage> {
  const backwards = !after && !!before
  const direction = backwards ? 'asc' : 'desc'
  const base = () => supporterQuery(executor, campaignId, { state, after, before })
  const query = q ? base().where('email_index', '=', await emailIndex(q)) : base()
  const rows = await query
    .orderBy('id', direction)
    .limit(limit + 1)
    .execute()
  const more = rows.length > limit
  const page = rows.slice(0, limit)
  if (backwards) page.reverse()
  const supporters = await Promise.all(page.map((row) => toSupporter(row, executor)))
  const first = supporters[0]
  const last = supporters[supporters.length - 1]
  if (backwards) return { supporters, newer: more && first ? first.id : null, older: last ? last.id : null }
  return { supporters, newer: after && first ? first.id : null, older: more && last ? last.id : null }
}

function supporterQuery(executor: Executor, campaignId: string, { state, after, before }: Pick<SupporterListQuery, 'state' | 'after' | 'before'>) {
  let query = executor.selectFrom('signatures').select(supporterColumns).where('campaign_id', '=', campaignId)
  if (state) query = query.where('state', '=', state)
  if (after) query = query.where('id', '<', after)
  else if (before) query = query.where('id', '>', before)
  return query
}

/** One signature of the campaign, or null (unknown, or another campaign's). */
export async function getSupporter(campaignId: string, signatureId: string, executor: Executor = getDb()): Promise<Supporter | null> {
  if (!idSchema.safeParse(signatureId).success) return null
  const row = await executor
    .selectFrom('signatures')
    .select(supporterColumns)
    .where('campaign_id', '=', campaignId)
    .where('id', '=', signatureId)
    .executeTakeFirst()
  return row ? await toSupporter(row, executor) : null
}

/**
 * Locks a signature of the campaign for a change that may take it out of the counts. The
 * counter's lock comes first (as in the fold), so the fold never runs between our read of
 * counted_at and our subtraction, and the row lock holds off a concurrent confirmation.
 */
async function lockSignature(tx: Tx, campaignId: string, signatureId: string) {
  await lockCounters(tx)
  return (
    (await tx
      .selectFrom('signatures')
      .select(['id', 'state', 'counted_at'])
      .where('campaign_id', '=', campaignId)
      .where('id', '=', signatureId)
      .forUpdate()
      .executeTakeFirst()) ?? null
  )
}

export type RemoveResult = { status: 'removed'; state: SignatureState; wasCounted: boolean } | { status: 'not-found' }

/**
 * Forgets a supporter who asked to be forgotten: the signature row goes, the emails sent about
 * it lose their address and bodies, and a counted confirmation leaves every cached count.
 * The audit entry records that it happened, never who it was.
 */
export async function removeSignature(actor: AuditActor, campaignId: string, signatureId: string): Promise<RemoveResult> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const signature = await lockSignature(tx, campaignId, signatureId)
      if (!signature) return { status: 'not-found' } as const
      const wasCounted = signature.state === 'confirmed' && signature.counted_at !== null
      if (wasCounted) await subtractCountedSignature(tx, signature.id)
      const redacted = await tx
        .updateTable('email_messages')
        .set({
          recipient: 'redacted',
          subject: 'redacted',
          html: null,
          text: null,
          error: null,
          signature_id: null,
          updated_at: sql`now()`,
        })
        .where('signature_id', '=', signature.id)
        .executeTakeFirst()
      await tx.deleteFrom('signatures').where('id', '=', signature.id).execute()
      await recordAudit(tx, actor, {
        action: 'signature.removed',
        subjectType: 'signature',
        subjectId: signature.id,
        changes: { campaignId, state: signature.state, counted: wasCounted, emailsRedacted: Number(redacted.numUpdatedRows) },
      })
      return { status: 'removed', state: signature.state, wasCounted } as const
    })
}

export type InvalidateResult =
  { status: 'invalidated'; from: SignatureState; wasCounted: boolean } | { status: 'already-invalidated' } | { status: 'not-found' }

/** Marks a signature as fraudulent (or a duplicate...): it stops counting and cannot be signed again with that address. */
export async function invalidateSignature(actor: AuditActor, campaignId: string, signatureId: string, reason: InvalidationReason): Promise<InvalidateResult> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const signature = await lockSignature(tx, campaignId, signatureId)
      if (!signature) return { status: 'not-found' } as const
      if (signature.state === 'invalidated') return { status: 'already-invalidated' } as const
      const wasCounted = signature.state === 'confirmed' && signature.counted_at !== null
      if (wasCounted) await subtractCountedSignature(tx, signature.id)
      await tx
        .updateTable('signatures')
        .set({
          state: 'invalidated',
          invalidated_at: sql`now()`,
          invalidation_reason: reason,
          // counted_at means "in the cached counts"; it no longer is.
          counted_at: null,
          confirmation_token_hash: null,
          updated_at: sql`now()`,
        })
        .where('id', '=', signature.id)
        .execute()
      await recordAudit(tx, actor, {
        action: 'signature.invalidated',
        subjectType: 'signature',
        subjectId: signature.id,
        changes: { campaignId, state: { from: signature.state, to: 'invalidated' }, reason, counted: wasCounted },
      })
      return { status: 'invalidated', from: signature.state, wasCounted } as const
    })
}
