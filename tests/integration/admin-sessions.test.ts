import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { adminForm, createAdmin } from '../support/admin'
import { callRoute } from '../support/routes'
import { action as accountAction, loader as accountLoader } from '~/routes/admin.account'
import { action as signOutAction } from '~/routes/admin.sign-out'
import { createSession, getActiveSession, pruneEndedSessions, summariseUserAgent } from '~/models/session.server'
import { clearSessionCookie, requireAdmin, requireAdminAction, safeAdminNext, sessionCookie } from '~/http/auth.server'
import { can, PERMISSIONS, ROLES } from '~/utils/permissions'
import { getDb } from '~/utils/db.server'
import { resetEnv } from '~/utils/env.server'

const request = (path: string, init: RequestInit = {}) => new Request(new URL(path, 'http://localhost:3000'), init)

async function thrown(promise: Promise<unknown>): Promise<Response | { type: string; data: any; init: ResponseInit | null }> {
  try {
    await promise
  } catch (error) {
    return error as any
  }
  throw new Error('expected the guard to throw')
}

async function statusOf(promise: Promise<unknown>) {
  const error = await thrown(promise)
  return error instanceof Response ? error.status : (error.init?.status ?? 200)
}

describe('roles', () => {
  it('grants each role exactly the permissions of decision 0006', () => {
    const matrix = Object.fromEntries(ROLES.map((role) => [role, Object.keys(PERMISSIONS).filter((p) => can(role, p as any))]))
    expect(matrix).toEqual({
      owner: [
        'campaigns.view',
        'campaigns.edit',
        'supporters.view',
        'supporters.erase',
        'members.manage',
        'audit.view',
        'api_keys.manage',
        'organisation.manage',
        'integrity.view',
        'integrity.act',
      ],
      campaigner: ['campaigns.view', 'campaigns.edit', 'supporters.view', 'integrity.view', 'integrity.act'],
      viewer: ['campaigns.view', 'integrity.view'],
    })
  })

  it('answers 403 to a member without the permission', async () => {
    const viewer = await createAdmin(getDb(), { role: 'viewer' })
    expect(await statusOf(requireAdmin(request('/admin/members', { headers: viewer.headers }), 'members.manage'))).toBe(403)
    const admin = await requireAdmin(request('/admin', { headers: viewer.headers }))
    expect(admin).toMatchObject({ role: 'viewer', user: { id: viewer.user.id }, organisation: { id: viewer.organisation.id } })
  })
})

describe('requireAdmin', () => {
  it('sends an anonymous request to sign-in with the page to come back to', async () => {
    const error = await thrown(requireAdmin(request('/admin/campaigns/7/supporters?q=ada')))
    expect(error).toBeInstanceOf(Response)
    expect((error as Response).status).toBe(302)
    expect((error as Response).headers.get('Location')).toBe(`/admin/sign-in?next=${encodeURIComponent('/admin/campaigns/7/supporters?q=ada')}`)
  })

  it('refuses a made-up session cookie', async () => {
    const error = await thrown(requireAdmin(request('/admin', { headers: { Cookie: 'chorus_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })))
    expect((error as Response).status).toBe(302)
  })

  it('refuses a revoked session', async () => {
    const admin = await createAdmin(getDb())
    await getDb()
      .updateTable('sessions')
      .set({ revoked_at: sql`now()` })
      .where('id', '=', admin.session.id)
      .execute()
    expect(await statusOf(requireAdmin(request('/admin', { headers: admin.headers })))).toBe(302)
  })

  it('refuses a session past its absolute expiry, however recently used', async () => {
    const admin = await createAdmin(getDb())
    await getDb()
      .updateTable('sessions')
      .set({ expires_at: sql`now() - interval '1 second'` })
      .where('id', '=', admin.session.id)
      .execute()
    expect(await statusOf(requireAdmin(request('/admin', { headers: admin.headers })))).toBe(302)
  })

  it('refuses a session idle for more than 14 days, and slides an active one forward', async () => {
    const idle = await createAdmin(getDb())
    await getDb()
      .updateTable('sessions')
      .set({ last_seen_at: sql`now() - interval '15 days'` })
      .where('id', '=', idle.session.id)
      .execute()
    expect(await statusOf(requireAdmin(request('/admin', { headers: idle.headers })))).toBe(302)

    const active = await createAdmin(getDb())
    await getDb()
      .updateTable('sessions')
      .set({ last_seen_at: sql`now() - interval '13 days'` })
      .where('id', '=', active.session.id)
      .execute()
    await requireAdmin(request('/admin', { headers: active.headers }))
    const row = await getDb()
      .selectFrom('sessions')
      .select(sql<boolean>`last_seen_at > now() - interval '1 minute'`.as('fresh'))
      .where('id', '=', active.session.id)
      .executeTakeFirstOrThrow()
    expect(row.fresh).toBe(true)
  })

  it('loses access the moment the membership is removed', async () => {
    const admin = await createAdmin(getDb())
    await getDb().deleteFrom('memberships').where('id', '=', admin.membership.id).execute()
    expect(await statusOf(requireAdmin(request('/admin', { headers: admin.headers })))).toBe(403)
  })
})

describe('CSRF', () => {
  const post = (admin: { headers: Record<string, string> }, body: string) =>
    request('/admin/members', { method: 'POST', body, headers: { ...admin.headers, 'Content-Type': 'application/x-www-form-urlencoded' } })

  it('accepts the session’s own token', async () => {
    const admin = await createAdmin(getDb())
    const { form } = await requireAdminAction(post(admin, adminForm(admin, { intent: 'x' })), 'members.manage')
    expect(form.get('intent')).toBe('x')
  })

  it('answers 403 to a missing, wrong or other session’s token', async () => {
    const admin = await createAdmin(getDb())
    const other = await createAdmin(getDb(), { organisationId: admin.organisation.id })
    expect(await statusOf(requireAdminAction(post(admin, 'intent=x'), 'members.manage'))).toBe(403)
    expect(await statusOf(requireAdminAction(post(admin, 'csrf=nope&intent=x'), 'members.manage'))).toBe(403)
    expect(await statusOf(requireAdminAction(post(admin, adminForm(other)), 'members.manage'))).toBe(403)
  })

  it('reads multipart bodies within the limit only', async () => {
    const admin = await createAdmin(getDb())
    const form = new FormData()
    form.append('csrf', admin.csrfToken)
    form.append('file', new Blob([new Uint8Array(2000)]), 'a.bin')
    const small = await requireAdminAction(request('/admin/x', { method: 'POST', body: form, headers: admin.headers }), 'campaigns.edit', { maxBytes: 10_000 })
    expect(small.form.get('file')).toBeInstanceOf(Blob)
    const big = request('/admin/x', { method: 'POST', body: form, headers: admin.headers })
    expect(await statusOf(requireAdminAction(big, 'campaigns.edit', { maxBytes: 1000 }))).toBe(413)
  })
})

describe('session cookie', () => {
  it('is httpOnly, SameSite=Lax, for the whole site, and Secure only over https', async () => {
    const token = 'tok_en-1234567890abcdefghij'
    const set = await sessionCookie(token)
    const [pair, ...attributes] = set.split('; ')
    expect(pair).toBe(`chorus_session=${token}`)
    expect(attributes.sort()).toEqual(['HttpOnly', 'Max-Age=2592000', 'Path=/', 'SameSite=Lax'])
    expect(await clearSessionCookie()).toMatch(/^chorus_session=; .*Max-Age=0/)
    const before = process.env.APP_URL
    process.env.APP_URL = 'https://chorus.example.org'
    resetEnv()
    try {
      expect((await sessionCookie(token)).split('; ')).toContain('Secure')
    } finally {
      process.env.APP_URL = before
      resetEnv()
    }
  })

  it('summarises the user agent without keeping it whole', () => {
    expect(summariseUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36')).toBe('Chrome on Linux')
    expect(summariseUserAgent(null)).toBeNull()
  })
})

describe('safe next', () => {
  it('follows only paths under /admin on this site', () => {
    expect(safeAdminNext('/admin/campaigns/3?locale=ru')).toBe('/admin/campaigns/3?locale=ru')
    expect(safeAdminNext('/admin')).toBe('/admin')
    for (const bad of [
      '//evil.example/admin',
      'https://evil.example/admin',
      '/administrator',
      '/admin/../x',
      '/\\evil.example',
      '/admin/sign-in',
      'javascript:alert(1)',
      '',
    ]) {
      expect(safeAdminNext(bad), bad).toBeNull()
    }
  })
})

describe('signing out', () => {
  it('revokes the session, clears the cookie and is audited', async () => {
    const admin = await createAdmin(getDb())
    const response = await callRoute(signOutAction, { url: '/admin/sign-out', method: 'POST', body: adminForm(admin), headers: admin.headers })
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/admin/sign-in')
    expect(response.headers.get('Set-Cookie')).toMatch(/^chorus_session=; .*Max-Age=0/)
    expect(await getActiveSession(admin.token)).toBeNull()
    const audit = await getDb().selectFrom('audit_events').selectAll().execute()
    expect(audit).toMatchObject([{ action: 'session.signed_out', actor_user_id: admin.user.id, organisation_id: admin.organisation.id }])
  })

  it('refuses to sign out without the CSRF token (403), leaving the session alive', async () => {
    const admin = await createAdmin(getDb())
    const response = await callRoute(signOutAction, { url: '/admin/sign-out', method: 'POST', body: 'csrf=wrong', headers: admin.headers })
    expect(response.status).toBe(403)
    expect(await getActiveSession(admin.token)).not.toBeNull()
  })

  it('signs out everywhere: every session of that person ends, nobody else’s', async () => {
    const admin = await createAdmin(getDb())
    const otherBrowser = await createAdmin(getDb(), { organisationId: admin.organisation.id })
    // A second session of the same person.
    const second = await createSession(getDb(), { userId: admin.user.id, organisationId: admin.organisation.id, userAgent: 'Firefox/120 (Windows)' })
    const page = await callRoute(accountLoader, { url: '/admin/account', headers: admin.headers })
    expect(page.data.sessions).toHaveLength(2)
    const response = await callRoute(accountAction, {
      url: '/admin/account',
      method: 'POST',
      body: adminForm(admin, { intent: 'sign-out-everywhere' }),
      headers: admin.headers,
    })
    expect(response.status).toBe(302)
    expect(response.headers.get('Set-Cookie')).toMatch(/Max-Age=0/)
    expect(await getActiveSession(admin.token)).toBeNull()
    expect(await getActiveSession(second.token)).toBeNull()
    expect(await getActiveSession(otherBrowser.token)).not.toBeNull()
    const audit = await getDb().selectFrom('audit_events').select(['action', 'changes']).execute()
    expect(audit).toEqual([{ action: 'session.revoked_all', changes: { sessions: 2 } }])
  })

  it('ends one other session from the account page, but never someone else’s', async () => {
    const admin = await createAdmin(getDb())
    const stranger = await createAdmin(getDb())
    const second = await createSession(getDb(), { userId: admin.user.id, organisationId: admin.organisation.id, userAgent: null })
    const end = (sessionId: string) =>
      callRoute(accountAction, { url: '/admin/account', method: 'POST', body: adminForm(admin, { intent: 'end-session', sessionId }), headers: admin.headers })
    expect((await end(stranger.session.id)).status).toBe(404)
    expect(await getActiveSession(stranger.token)).not.toBeNull()
    expect((await end(second.session.id)).status).toBe(302)
    expect(await getActiveSession(second.token)).toBeNull()
    expect(await getActiveSession(admin.token)).not.toBeNull()
  })
})

describe('organisations and housekeeping', () => {
  it('someone in two organisations switches between them; never into one they do not belong to', async () => {
    const first = await createAdmin(getDb(), { role: 'viewer' })
    const second = await createAdmin(getDb(), { role: 'owner' })
    await getDb().insertInto('memberships').values({ organisation_id: second.organisation.id, user_id: first.user.id, role: 'campaigner' }).execute()
    const switchTo = (organisationId: string) =>
      callRoute(accountAction, {
        url: '/admin/account',
        method: 'POST',
        body: adminForm(first, { intent: 'switch-organisation', organisationId }),
        headers: first.headers,
      })
    const outsider = await createAdmin(getDb())
    expect((await switchTo(outsider.organisation.id)).status).toBe(404)
    expect((await requireAdmin(request('/admin', { headers: first.headers }))).organisation.id).toBe(first.organisation.id)
    expect((await switchTo(second.organisation.id)).status).toBe(302)
    const now = await requireAdmin(request('/admin', { headers: first.headers }))
    expect(now).toMatchObject({ organisation: { id: second.organisation.id }, role: 'campaigner' })
  })

  it('the nightly prune forgets sessions and links that ended over a week ago, and nothing live', async () => {
    const live = await createAdmin(getDb())
    const old = await createAdmin(getDb())
    const recentlyRevoked = await createAdmin(getDb())
    await getDb()
      .updateTable('sessions')
      .set({ revoked_at: sql`now() - interval '8 days'` })
      .where('id', '=', old.session.id)
      .execute()
    await getDb()
      .updateTable('sessions')
      .set({ revoked_at: sql`now() - interval '1 day'` })
      .where('id', '=', recentlyRevoked.session.id)
      .execute()
    const result = await pruneEndedSessions()
    expect(result.sessions).toBe(1)
    const left = await getDb().selectFrom('sessions').select('id').orderBy('id').execute()
    expect(left.map((s) => s.id)).toEqual([live.session.id, recentlyRevoked.session.id])
  })
})
