import { sql } from 'kysely'
import type { InvalidationReason, SignatureState } from '#db/types'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { lockCounters, subtractCountedSignature } from '~/models/signature-count.server'
import { canonicalEmail } from '~/models/signature.server'
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
}

function toSupporter(row: SupporterRow): Supporter {
  return {
    id: row.id,
    fullName: row.full_name,
    email: row.email,
    country: row.country.trim(),
    state: row.state,
    consentUpdates: row.consent_updates,
    consentShowName: row.consent_show_name,
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
    invalidatedAt: row.invalidated_at,
    invalidationReason: row.invalidation_reason,
  }
}

const WHOLE_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`)
}

export interface SupporterPage {
  supporters: Supporter[]
  /** Cursor for the next (older) page, or null on the last page. */
  older: string | null
  /** Cursor for the previous (newer) page, or null on the first page. */
  newer: string | null
}

/** How many of the newest rows a substring search reads in order before it asks the trigram index. */
export const SEARCH_WINDOW = 5000

/**
 * One page of a campaign's signatures, newest first, keyset-paged on id so that page 1,000 is
 * as fast as page 1. Search is a whole address (canonical, unique index) or a substring of the
 * name or the address (trigram index).
 */
export async function listSupporters(
  campaignId: string,
  { q, state, after, before }: SupporterListQuery,
  {
    limit = SUPPORTERS_PAGE_SIZE,
    searchWindow = SEARCH_WINDOW,
    executor = getDb(),
  }: { limit?: number; searchWindow?: number; executor?: Executor } = {},
): Promise<SupporterPage> {
  const backwards = !after && !!before
  const direction = backwards ? 'asc' : 'desc'
  const base = () => supporterQuery(executor, campaignId, { state, after, before })
  let rows: SupporterRow[]
  if (q && !WHOLE_ADDRESS.test(q)) {
    rows = await searchSubstring(executor, base, `%${escapeLike(q.toLowerCase())}%`, direction, limit + 1, searchWindow)
  } else {
    // A whole address finds its signer through the unique index, whatever its dots, case or +tag.
    const query = q ? base().where('canonical_email', '=', canonicalEmail(q)) : base()
    rows = await query.orderBy('id', direction).limit(limit + 1).execute()
  }
  const more = rows.length > limit
  const page = rows.slice(0, limit)
  if (backwards) page.reverse()
  const supporters = page.map(toSupporter)
  const first = supporters[0]
  const last = supporters[supporters.length - 1]
  if (backwards) return { supporters, newer: more && first ? first.id : null, older: last ? last.id : null }
  return { supporters, newer: after && first ? first.id : null, older: more && last ? last.id : null }
}

/**
 * A substring search, in two steps so that neither a common nor a rare term reads the whole
 * campaign. Left alone, the planner walks the id index until it has a page of matches, which is
 * quick for common terms and very slow for terms whose matches are all old. So: first the newest
 * SEARCH_WINDOW rows in order (common terms end here), then, only if the page is not full, the
 * trigram index over the older rows, where the cost follows the number of matches.
 */
async function searchSubstring(
  executor: Executor,
  base: () => SupporterQuery,
  needle: string,
  direction: 'asc' | 'desc',
  wanted: number,
  window: number,
): Promise<SupporterRow[]> {
  const haystack = sql<string>`lower(full_name) || ' ' || lower(email)`
  const edgeRow = await base().clearSelect().select('id').orderBy('id', direction).offset(window - 1).limit(1).executeTakeFirst()
  const inWindow = edgeRow ? (direction === 'desc' ? ('>=' as const) : ('<=' as const)) : null
  let windowQuery = base().where(haystack, 'like', needle)
  if (edgeRow && inWindow) windowQuery = windowQuery.where('id', inWindow, edgeRow.id)
  const recent = await windowQuery.orderBy('id', direction).limit(wanted).execute()
  if (recent.length >= wanted || !edgeRow) return recent
  // Materialised: every older match through the trigram index, then the page, never an id walk.
  const olderIds = base()
    .clearSelect()
    .select('id')
    .where(haystack, 'like', needle)
    .where('id', direction === 'desc' ? '<' : '>', edgeRow.id)
  const { rows: older } = await sql<SupporterRow>`
    with matches as materialized (${olderIds})
    select ${sql.join(supporterColumns.map((c) => sql.ref(`s.${c}`)))}
    from signatures s join matches m on m.id = s.id
    order by s.id ${sql.raw(direction)}
    limit ${wanted - recent.length}`.execute(executor)
  return [...recent, ...older]
}

function supporterQuery(
  executor: Executor,
  campaignId: string,
  { state, after, before }: Pick<SupporterListQuery, 'state' | 'after' | 'before'>,
) {
  let query = executor.selectFrom('signatures').select(supporterColumns).where('campaign_id', '=', campaignId)
  if (state) query = query.where('state', '=', state)
  if (after) query = query.where('id', '<', after)
  else if (before) query = query.where('id', '>', before)
  return query
}
type SupporterQuery = ReturnType<typeof supporterQuery>

/** One signature of the campaign, or null (unknown, or another campaign's). */
export async function getSupporter(campaignId: string, signatureId: string, executor: Executor = getDb()): Promise<Supporter | null> {
  if (!idSchema.safeParse(signatureId).success) return null
  const row = await executor
    .selectFrom('signatures')
    .select(supporterColumns)
    .where('campaign_id', '=', campaignId)
    .where('id', '=', signatureId)
    .executeTakeFirst()
  return row ? toSupporter(row) : null
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
  | { status: 'invalidated'; from: SignatureState; wasCounted: boolean }
  | { status: 'already-invalidated' }
  | { status: 'not-found' }

/** Marks a signature as fraudulent (or a duplicate...): it stops counting and cannot be signed again with that address. */
export async function invalidateSignature(
  actor: AuditActor,
  campaignId: string,
  signatureId: string,
  reason: InvalidationReason,
): Promise<InvalidateResult> {
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
