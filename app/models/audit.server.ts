import { sql } from 'kysely'
import { getDb, type Executor } from '~/utils/db.server'

/** Who acted, as far as the audit log needs to know. */
export interface AuditActor {
  /** null for Chorus itself (a command-line tool, a scheduled job). */
  user: { id: string } | null
  organisation: { id: string } | null
}

export interface AuditEntry {
  /** Dotted verb, e.g. `member.role_changed`, `campaign.published`. */
  action: string
  /** What was acted on: `campaign`, `membership`, `invitation`, `session`, `signature`, ... */
  subjectType: string
  subjectId?: string | number | bigint | null
  /** What changed, e.g. `{ role: { from: 'viewer', to: 'campaigner' } }`. Never a supporter's personal data. */
  changes?: Record<string, unknown>
}

/** Writes one audit event; pass the transaction that makes the change, so both are kept or lost together. */
export async function recordAudit(executor: Executor, actor: AuditActor | null, entry: AuditEntry) {
  await executor
    .insertInto('audit_events')
    .values({
      organisation_id: actor?.organisation?.id ?? null,
      actor_user_id: actor?.user?.id ?? null,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId == null ? null : String(entry.subjectId),
      changes: JSON.stringify(entry.changes ?? {}),
    })
    .execute()
}

/** Writes one audit event for Chorus itself (a scheduled job, a link followed by no signed-in person) in an organisation's log. */
export async function recordSystemAudit(executor: Executor, organisationId: string, entry: AuditEntry) {
  await recordAudit(executor, { user: null, organisation: { id: organisationId } }, entry)
}

export const AUDIT_PAGE_SIZE = 50

export interface AuditListItem {
  id: string
  createdAt: Date
  action: string
  subjectType: string
  subjectId: string | null
  /** The member acted on, when the subject is a user. */
  subjectEmail: string | null
  changes: Record<string, unknown>
  actor: { id: string; email: string; name: string | null } | null
}

/**
 * One page of an organisation's audit log, newest first. Keyset-paged on (created_at, id), so
 * a long log pages as fast as a short one; `before` is the cursor from the previous page.
 */
export async function listAuditEvents(
  organisationId: string,
  { before, limit = AUDIT_PAGE_SIZE }: { before?: string | null; limit?: number } = {},
  executor: Executor = getDb(),
): Promise<{ events: AuditListItem[]; next: string | null }> {
  let query = executor
    .selectFrom('audit_events as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    // A member acted on is shown by address (organisers' addresses, never a supporter's).
    .leftJoin('users as s', (join) => join.on('a.subject_type', '=', 'user').on(sql`s.id::text`, '=', sql.ref('a.subject_id')))
    .select([
      'a.id',
      'a.created_at',
      'a.action',
      'a.subject_type',
      'a.subject_id',
      'a.changes',
      'a.actor_user_id',
      'u.email',
      'u.name',
      's.email as subject_email',
    ])
    .where('a.organisation_id', '=', organisationId)
  if (before) {
    // Compared with the cursor row's own timestamp: microseconds survive, which a Date would lose.
    query = query.where(sql<boolean>`(a.created_at, a.id) < (select c.created_at, c.id from audit_events c where c.id = ${before}::bigint)`)
  }
  const rows = await query
    .orderBy('a.created_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit + 1)
    .execute()
  const page = rows.slice(0, limit)
  const events = page.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    subjectEmail: r.subject_email,
    changes: r.changes,
    actor: r.actor_user_id && r.email ? { id: r.actor_user_id, email: r.email, name: r.name } : null,
  }))
  const last = page[page.length - 1]
  return { events, next: rows.length > limit && last ? last.id : null }
}
