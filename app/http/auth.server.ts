import { createCookie, data, redirect } from '@remix-run/node'
import { listMembershipsOfUser, type MembershipWithOrganisation } from '~/models/membership.server'
import { getActiveSession, SESSION_MAX_DAYS, type ActiveSession } from '~/models/session.server'
import { plainTokenValue, secureCookies } from '~/utils/cookies.server'
import { can, type AdminContext, type Permission } from '~/utils/permissions'
import { FORM_LIMIT_BYTES, readForm } from '~/utils/form.server'
import { type MessageKey } from '~/utils/i18n'
import { translate } from '~/utils/i18n.server'
import { signValue, verifySignedValue } from '~/utils/security.server'

// The rules every admin route follows: docs/decisions/0006-campaigner-workspace.md.

/** The session's token, for the whole site, as long as a session can live (its value is the bare token). */
const session = createCookie('chorus_session', { path: '/', maxAge: SESSION_MAX_DAYS * 86400, sameSite: 'lax', httpOnly: true, ...plainTokenValue })

export const SESSION_COOKIE = session.name

/** Set-Cookie value that carries a new session's token. */
export async function sessionCookie(token: string): Promise<string> {
  return await session.serialize(token, { secure: secureCookies() })
}

/** Set-Cookie value that removes the session cookie. */
export async function clearSessionCookie(): Promise<string> {
  return await session.serialize('', { maxAge: 0, secure: secureCookies() })
}

export async function sessionTokenOf(request: Request): Promise<string | undefined> {
  const token: unknown = await session.parse(request.headers.get('Cookie'))
  return typeof token === 'string' && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : undefined
}

/** The session's CSRF token: a keyed hash of its id, so it needs no storage and dies with the session. */
export function csrfTokenFor(sessionId: string): string {
  return signValue('csrf', `session:${sessionId}`)
}

export interface AdminSession {
  session: ActiveSession
  /** null when the person belongs to no organisation (any more). */
  admin: AdminContext | null
  memberships: MembershipWithOrganisation[]
}

/** The signed-in person behind the request, or null; never redirects (for the layout and public pages). */
export async function getAdminSession(request: Request): Promise<AdminSession | null> {
  const token = await sessionTokenOf(request)
  if (!token) return null
  const session = await getActiveSession(token)
  if (!session) return null
  const memberships = await listMembershipsOfUser(session.userId)
  // The organisation chosen for this session, or (if they left it) the first they belong to.
  const current = memberships.find((m) => m.organisation.id === session.organisationId) ?? memberships[0]
  const admin: AdminContext | null = current
    ? {
        user: { id: session.user.id, email: session.user.email, name: session.user.name },
        organisation: current.organisation,
        role: current.role,
        sessionId: session.id,
        csrfToken: csrfTokenFor(session.id),
      }
    : null
  return { session, admin, memberships }
}

/** A 4xx answer whose `error` is a translation key (the admin error boundary shows it translated). */
export function adminError(status: number, key: MessageKey) {
  return data({ error: key, message: translate('en', key) }, { status, headers: { 'Cache-Control': 'no-store' } })
}

/** Where to send an anonymous request: sign-in, then back here. */
export function signInRedirect(request: Request) {
  const url = new URL(request.url)
  url.searchParams.delete('_data')
  const next = `${url.pathname}${url.search}`
  return redirect(`/admin/sign-in?next=${encodeURIComponent(next)}`, { headers: { 'Cache-Control': 'no-store' } })
}

/**
 * The guard of every admin loader (and, through requireAdminAction, every action): anonymous
 * requests are sent to sign-in, people without the permission get a 403.
 */
export async function requireAdmin(request: Request, permission: Permission = 'campaigns.view'): Promise<AdminContext> {
  const state = await getAdminSession(request)
  if (!state) throw signInRedirect(request)
  if (!state.admin) throw adminError(403, 'admin.error.noMembership')
  if (!can(state.admin.role, permission)) throw adminError(403, 'admin.error.forbidden')
  return state.admin
}

/**
 * requireAdmin for actions: also reads the body (URL-encoded, or multipart up to `maxBytes`) and
 * refuses it with a 403 unless its `csrf` field is this session's token.
 */
export async function requireAdminAction(
  request: Request,
  permission: Permission,
  { maxBytes = FORM_LIMIT_BYTES }: { maxBytes?: number } = {},
): Promise<{ admin: AdminContext; form: FormData }> {
  const admin = await requireAdmin(request, permission)
  const form = await readForm(request, maxBytes)
  if (!isValidCsrf(admin.sessionId, form.get('csrf'))) throw adminError(403, 'admin.error.csrf')
  return { admin, form }
}

/** Whether a submitted `csrf` field is this session's token (compared in constant time). */
export function isValidCsrf(sessionId: string, given: FormDataEntryValue | null): boolean {
  return typeof given === 'string' && given.length > 0 && verifySignedValue('csrf', `session:${sessionId}`, given)
}

/** A `next` worth following after sign-in: a path under /admin on this site, nothing else. */
export function safeAdminNext(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 1000) return null
  if (!next.startsWith('/admin') || next.startsWith('//') || next.includes('\\')) return null
  try {
    const url = new URL(next, 'http://chorus.invalid')
    if (url.origin !== 'http://chorus.invalid') return null
    if (url.pathname !== '/admin' && !url.pathname.startsWith('/admin/')) return null
    if (url.pathname.startsWith('/admin/sign-in') || url.pathname.startsWith('/admin/sign-out')) return null
    return `${url.pathname}${url.search}`
  } catch {
    return null
  }
}
