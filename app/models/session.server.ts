import { sql } from 'kysely'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { getDb, type Executor } from '~/utils/db.server'
import { generateToken, hashToken } from '~/utils/security.server'

/** A session ends after this long without a request... */
export const SESSION_IDLE_DAYS = 14
/** ...and in any case this long after signing in. */
export const SESSION_MAX_DAYS = 30
/** last_seen_at is written at most this often, so browsing does not write on every request. */
const TOUCH_AFTER_SECONDS = 60

/** "Firefox on Windows": enough to recognise a session in the list, nothing to fingerprint with. */
export function summariseUserAgent(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /OPR\/|Opera/.test(userAgent)
      ? 'Opera'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Chrom(e|ium)\//.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : null
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad|iPod/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(userAgent)
          ? 'macOS'
          : /Linux|X11/.test(userAgent)
            ? 'Linux'
            : null
  if (browser && system) return `${browser} on ${system}`
  return browser ?? system ?? userAgent.slice(0, 60)
}

/** Starts a session; returns the token for the cookie (only its hash is stored). */
export async function createSession(
  executor: Executor,
  { userId, organisationId, userAgent }: { userId: string; organisationId: string | null; userAgent?: string | null },
) {
  const token = generateToken()
  const session = await executor
    .insertInto('sessions')
    .values({
      token_hash: hashToken(token),
      user_id: userId,
      organisation_id: organisationId,
      user_agent: summariseUserAgent(userAgent),
      expires_at: sql<Date>`now() + make_interval(days => ${SESSION_MAX_DAYS})`,
    })
    .returning(['id', 'user_id', 'organisation_id', 'created_at', 'expires_at'])
    .executeTakeFirstOrThrow()
  return { token, session }
}

export interface ActiveSession {
  id: string
  userId: string
  organisationId: string | null
  user: { id: string; email: string; name: string | null; locale: string }
}

/** The live session behind a cookie token (not revoked, not expired, not idle too long), sliding it forward. */
export async function getActiveSession(token: string, executor: Executor = getDb()): Promise<ActiveSession | null> {
  if (!token) return null
  const row = await executor
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.user_id',
      's.organisation_id',
      'u.email',
      'u.name',
      'u.locale',
      sql<boolean>`s.last_seen_at < now() - make_interval(secs => ${TOUCH_AFTER_SECONDS})`.as('stale'),
    ])
    .where('s.token_hash', '=', hashToken(token))
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .where('s.last_seen_at', '>', sql<Date>`now() - make_interval(days => ${SESSION_IDLE_DAYS})`)
    .executeTakeFirst()
  if (!row) return null
  if (row.stale) {
    await executor
      .updateTable('sessions')
      .set({ last_seen_at: sql`now()` })
      .where('id', '=', row.id)
      .execute()
  }
  return {
    id: row.id,
    userId: row.user_id,
    organisationId: row.organisation_id,
    user: { id: row.user_id, email: row.email, name: row.name, locale: row.locale },
  }
}

/** Moves a session to another organisation of its person; false when they are no member of it. */
export async function switchSessionOrganisation(
  { sessionId, userId }: { sessionId: string; userId: string },
  organisationId: string,
  executor: Executor = getDb(),
): Promise<boolean> {
  const result = await executor
    .updateTable('sessions')
    .set({ organisation_id: organisationId })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('memberships').select('memberships.id').where('memberships.user_id', '=', userId).where('memberships.organisation_id', '=', organisationId),
      ),
    )
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Revokes one session of a user; false when it was not theirs or already ended. */
export async function revokeSession(executor: Executor, { sessionId, userId }: { sessionId: string; userId: string }) {
  const result = await executor
    .updateTable('sessions')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** "Sign out everywhere": revokes every live session of the user. Returns how many. */
export async function revokeAllSessions(executor: Executor, userId: string) {
  const result = await executor
    .updateTable('sessions')
    .set({ revoked_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

type SignedInActor = { user: { id: string }; organisation: { id: string } }

/** Ends the session the request came with; audited in the organisation the person was working in. */
export async function signOut(session: { id: string; userId: string }, actor: AuditActor | null) {
  await getDb()
    .transaction()
    .execute(async (tx) => {
      const ended = await revokeSession(tx, { sessionId: session.id, userId: session.userId })
      if (ended && actor) await recordAudit(tx, actor, { action: 'session.signed_out', subjectType: 'session', subjectId: session.id })
    })
}

/** Ends another of the person's own sessions (from the account page). False when it is not theirs or already ended. */
export async function endOwnSession(actor: SignedInActor, sessionId: string) {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const ended = await revokeSession(tx, { sessionId, userId: actor.user.id })
      if (ended) await recordAudit(tx, actor, { action: 'session.revoked', subjectType: 'session', subjectId: sessionId })
      return ended
    })
}

/** "Sign out everywhere", audited with how many sessions ended. */
export async function signOutEverywhere(actor: SignedInActor) {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const count = await revokeAllSessions(tx, actor.user.id)
      await recordAudit(tx, actor, { action: 'session.revoked_all', subjectType: 'user', subjectId: actor.user.id, changes: { sessions: count } })
      return count
    })
}

export interface SessionListItem {
  id: string
  userAgent: string | null
  createdAt: Date
  lastSeenAt: Date
  expiresAt: Date
}

/** A user's live sessions, most recently used first. */
export async function listActiveSessions(userId: string, executor: Executor = getDb()): Promise<SessionListItem[]> {
  const rows = await executor
    .selectFrom('sessions')
    .select(['id', 'user_agent', 'created_at', 'last_seen_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .where('last_seen_at', '>', sql<Date>`now() - make_interval(days => ${SESSION_IDLE_DAYS})`)
    .orderBy('last_seen_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
  return rows.map((r) => ({ id: r.id, userAgent: r.user_agent, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at }))
}

/** Deletes sessions and sign-in tokens that ended more than a week ago (nightly). */
export async function pruneEndedSessions(executor: Executor = getDb()) {
  const sessions = await executor
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', sql<Date>`now() - interval '7 days'`),
        eb('revoked_at', '<', sql<Date>`now() - interval '7 days'`),
        eb('last_seen_at', '<', sql<Date>`now() - make_interval(days => ${SESSION_IDLE_DAYS + 7})`),
      ]),
    )
    .executeTakeFirst()
  const tokens = await executor
    .deleteFrom('sign_in_tokens')
    .where('expires_at', '<', sql<Date>`now() - interval '7 days'`)
    .executeTakeFirst()
  return { sessions: Number(sessions.numDeletedRows), signInTokens: Number(tokens.numDeletedRows) }
}
