import type { Kysely } from 'kysely'
import type { Database, RoleName } from '#db/types'
import { createSession } from '~/models/session.server'
import { csrfTokenFor, SESSION_COOKIE } from '~/http/auth.server'
import { type AdminContext } from '~/utils/permissions'
import { createOrganisation, uniqueEmail } from './factories'

/**
 * A signed-in member of an organisation (a new one unless `organisationId` is given), ready to
 * call admin loaders and actions: pass `headers` to callRoute, and `csrfToken` as the `csrf` field.
 */
export async function createAdmin(
  db: Kysely<Database>,
  { role = 'owner', organisationId, email, name = null }: { role?: RoleName; organisationId?: string; email?: string; name?: string | null } = {},
) {
  const organisation = organisationId
    ? await db.selectFrom('organisations').selectAll().where('id', '=', organisationId).executeTakeFirstOrThrow()
    : await createOrganisation(db)
  const user = await db
    .insertInto('users')
    .values({ email: (email ?? uniqueEmail(role)).toLowerCase(), name })
    .returningAll()
    .executeTakeFirstOrThrow()
  const membership = await db
    .insertInto('memberships')
    .values({ organisation_id: organisation.id, user_id: user.id, role })
    .returningAll()
    .executeTakeFirstOrThrow()
  const { token, session } = await createSession(db, { userId: user.id, organisationId: organisation.id, userAgent: 'vitest' })
  const cookie = `${SESSION_COOKIE}=${token}`
  const csrfToken = csrfTokenFor(session.id)
  /** What requireAdmin would return for this person, for calling model functions directly. */
  const context: AdminContext = {
    user: { id: user.id, email: user.email, name: user.name },
    organisation: { id: organisation.id, slug: organisation.slug, name: organisation.name },
    role,
    sessionId: session.id,
    csrfToken,
  }
  return { user, organisation, membership, session, token, cookie, csrfToken, headers: { Cookie: cookie }, context }
}

export type TestAdmin = Awaited<ReturnType<typeof createAdmin>>

/** A URL-encoded admin form body carrying the admin's CSRF token. */
export function adminForm(admin: { csrfToken: string }, values: Record<string, string> = {}) {
  return new URLSearchParams({ csrf: admin.csrfToken, ...values }).toString()
}
