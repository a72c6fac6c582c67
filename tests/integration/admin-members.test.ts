import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { adminForm, createAdmin, type TestAdmin } from '../support/admin'
import { runDueJobs, queuedEmails, openEmailRow } from '../support/jobs'
import { callRoute } from '../support/routes'
import { loader as auditLoader } from '~/routes/admin.audit'
import { action as acceptAction, loader as invitationLoader } from '~/routes/admin.invitations.$token'
import { action as membersAction, loader as membersLoader } from '~/routes/admin.members'
import { changeRoleOfMember } from '~/models/membership.server'
import { getActiveSession } from '~/models/session.server'
import { recordAudit } from '~/models/audit.server'
import { requireAdmin } from '~/http/auth.server'
import { getDb } from '~/utils/db.server'
import { hashToken } from '~/utils/security.server'

const post = (admin: TestAdmin, values: Record<string, string>, url = '/admin/members') =>
  callRoute(membersAction, { url, method: 'POST', body: adminForm(admin, values), headers: admin.headers })

async function invite(owner: TestAdmin, email: string, role = 'campaigner') {
  const response = await post(owner, { intent: 'invite', email, role })
  expect(response.status).toBe(302)
  return (await queuedEmails('invitation')).at(-1)!.payload.token as string
}

const openInvitation = (token: string) => callRoute(invitationLoader, { url: `/admin/invitations/${token}`, params: { token } })
const accept = (token: string) => callRoute(acceptAction, { url: `/admin/invitations/${token}`, method: 'POST', params: { token } })
const roleOf = async (organisationId: string, userId: string) =>
  (await getDb().selectFrom('memberships').select('role').where('organisation_id', '=', organisationId).where('user_id', '=', userId).executeTakeFirst())?.role

describe('invitations', () => {
  it('an owner invites; the link shows the invitation; accepting creates the user, the membership and a session', async () => {
    const owner = await createAdmin(getDb(), { name: 'Olga Owner' })
    const token = await invite(owner, 'New.Person@Example.org', 'campaigner')
    const stored = await getDb().selectFrom('invitations').selectAll().executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ email: 'new.person@example.org', role: 'campaigner', invited_by: owner.user.id })
    expect(stored.token_hash.equals(hashToken(token))).toBe(true)

    await runDueJobs()
    const message = await openEmailRow(await getDb().selectFrom('email_messages').selectAll().executeTakeFirstOrThrow())
    expect(message).toMatchObject({ recipient: 'new.person@example.org', template: 'invitation', status: 'sent' })
    expect(message.subject).toBe(`Join ${owner.organisation.name} on Chorus`)
    expect(message.html).toContain(`http://localhost:3000/admin/invitations/${token}?lang=en`)
    expect(message.text).toContain('Olga Owner invited you')

    const page = await openInvitation(token)
    expect(page.status).toBe(200)
    expect(page.data.invitation).toEqual({ email: 'new.person@example.org', role: 'campaigner', organisationName: owner.organisation.name })
    expect(await getDb().selectFrom('users').select('id').where('email', '=', 'new.person@example.org').execute()).toEqual([])

    const accepted = await accept(token)
    expect(accepted.status).toBe(302)
    expect(accepted.headers.get('Location')).toBe('/admin')
    const cookie = /^chorus_session=([^;]+)/.exec(accepted.headers.get('Set-Cookie') ?? '')![1]!
    const admin = await requireAdmin(new Request('http://localhost:3000/admin', { headers: { Cookie: `chorus_session=${cookie}` } }))
    expect(admin).toMatchObject({ role: 'campaigner', organisation: { id: owner.organisation.id }, user: { email: 'new.person@example.org' } })

    const members = await callRoute(membersLoader, { url: '/admin/members', headers: owner.headers })
    expect(members.data.members.map((m: any) => [m.email, m.role])).toEqual(
      [
        [owner.user.email, 'owner'],
        ['new.person@example.org', 'campaigner'],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    )
    expect(members.data.invitations).toEqual([])
  })

  it('cannot be accepted twice', async () => {
    const owner = await createAdmin(getDb())
    const token = await invite(owner, 'twice@example.org')
    expect((await accept(token)).status).toBe(302)
    const again = await accept(token)
    expect(again.status).toBe(410)
    expect(again.headers.get('Set-Cookie')).toBeNull()
    expect((await openInvitation(token)).status).toBe(410)
  })

  it('does not work once expired (7 days) or withdrawn', async () => {
    const owner = await createAdmin(getDb())
    const expired = await invite(owner, 'late@example.org')
    const { rows } = await sql<{ days: number }>`select round(extract(epoch from expires_at - created_at) / 86400)::int as days from invitations`.execute(
      getDb(),
    )
    expect(rows[0]!.days).toBe(7)
    await getDb()
      .updateTable('invitations')
      .set({ expires_at: sql`now() - interval '1 second'` })
      .execute()
    expect((await openInvitation(expired)).status).toBe(410)
    expect((await accept(expired)).status).toBe(410)

    const withdrawn = await invite(owner, 'withdrawn@example.org')
    const { id } = await getDb().selectFrom('invitations').select('id').where('email', '=', 'withdrawn@example.org').executeTakeFirstOrThrow()
    const revoked = await post(owner, { intent: 'revoke-invitation', invitationId: id })
    expect(revoked.status).toBe(302)
    expect((await accept(withdrawn)).status).toBe(410)
    expect(await getDb().selectFrom('users').select('email').where('email', 'in', ['late@example.org', 'withdrawn@example.org']).execute()).toEqual([])
    await runDueJobs()
    // Neither email goes out once the invitation no longer stands.
    expect(await getDb().selectFrom('email_messages').select('recipient').where('status', '=', 'sent').execute()).toEqual([])
    expect((await getDb().selectFrom('email_messages').select('status').execute()).every((e) => e.status === 'skipped')).toBe(true)
  })

  it('does not work with a made-up token', async () => {
    expect((await openInvitation('y'.repeat(43))).status).toBe(410)
    expect((await accept('y'.repeat(43))).status).toBe(410)
  })

  it('a new invitation to the same address replaces the pending one', async () => {
    const owner = await createAdmin(getDb())
    const first = await invite(owner, 'again@example.org', 'viewer')
    const second = await invite(owner, 'again@example.org', 'campaigner')
    expect((await accept(first)).status).toBe(410)
    expect((await accept(second)).status).toBe(302)
  })

  it('an existing user joins with their account and keeps their other organisations', async () => {
    const elsewhere = await createAdmin(getDb(), { email: 'roams@example.org', role: 'owner' })
    const owner = await createAdmin(getDb())
    const token = await invite(owner, 'roams@example.org', 'viewer')
    expect((await accept(token)).status).toBe(302)
    expect(await roleOf(owner.organisation.id, elsewhere.user.id)).toBe('viewer')
    expect(await roleOf(elsewhere.organisation.id, elsewhere.user.id)).toBe('owner')
  })

  it('refuses to invite someone who is already a member, and bad input, with clear messages', async () => {
    const owner = await createAdmin(getDb())
    const taken = await post(owner, { intent: 'invite', email: owner.user.email.toUpperCase(), role: 'viewer' })
    expect(taken.status).toBe(409)
    expect(taken.data.result.error['']).toEqual(['admin.members.error.alreadyMember'])
    const bad = await post(owner, { intent: 'invite', email: 'nope', role: 'king' })
    expect(bad.status).toBe(400)
    expect(bad.data.result.error).toMatchObject({ email: ['admin.members.error.email'], role: ['admin.members.error.role'] })
    expect(bad.data.result.initialValue.email).toBe('nope')
    expect(await queuedEmails('invitation')).toHaveLength(0)
  })

  it('an owner of another organisation cannot withdraw this one’s invitation (404)', async () => {
    const owner = await createAdmin(getDb())
    const stranger = await createAdmin(getDb())
    const token = await invite(owner, 'kept@example.org')
    const { id } = await getDb().selectFrom('invitations').select('id').executeTakeFirstOrThrow()
    expect((await post(stranger, { intent: 'revoke-invitation', invitationId: id })).status).toBe(404)
    expect((await openInvitation(token)).status).toBe(200)
  })
})

describe('roles and the last owner', () => {
  it('an owner changes a role and removes a member, both audited', async () => {
    const owner = await createAdmin(getDb())
    const member = await createAdmin(getDb(), { role: 'viewer', organisationId: owner.organisation.id })
    expect((await post(owner, { intent: 'change-role', userId: member.user.id, role: 'campaigner' })).status).toBe(302)
    expect(await roleOf(owner.organisation.id, member.user.id)).toBe('campaigner')
    // The member's next request already carries the new role.
    expect((await requireAdmin(new Request('http://localhost:3000/admin', { headers: member.headers }))).role).toBe('campaigner')
    expect((await post(owner, { intent: 'remove', userId: member.user.id })).status).toBe(302)
    expect(await roleOf(owner.organisation.id, member.user.id)).toBeUndefined()

    const audit = await callRoute(auditLoader, { url: '/admin/audit', headers: owner.headers })
    expect(audit.data.events.map((e: any) => [e.what, e.subject, e.changes])).toEqual([
      ['Removed a member', member.user.email, [{ key: 'role', value: 'campaigner → —' }]],
      ['Changed a role', member.user.email, [{ key: 'role', value: 'viewer → campaigner' }]],
    ])
    expect(audit.data.events[0].who).toBe(owner.user.email)
  })

  it('the last owner can be neither demoted nor removed', async () => {
    const owner = await createAdmin(getDb())
    const demote = await post(owner, { intent: 'change-role', userId: owner.user.id, role: 'campaigner' })
    expect(demote.status).toBe(409)
    expect(demote.data.result.error['']).toEqual(['admin.members.error.lastOwner'])
    const remove = await post(owner, { intent: 'remove', userId: owner.user.id })
    expect(remove.status).toBe(409)
    expect(await roleOf(owner.organisation.id, owner.user.id)).toBe('owner')
    expect(await getDb().selectFrom('audit_events').select('id').execute()).toEqual([])
  })

  it('two owners demoting each other at once leave one owner', async () => {
    const a = await createAdmin(getDb())
    const b = await createAdmin(getDb(), { organisationId: a.organisation.id })
    const results = await Promise.all([
      changeRoleOfMember(a.context, { userId: b.user.id, role: 'viewer' }),
      changeRoleOfMember(b.context, { userId: a.user.id, role: 'viewer' }),
    ])
    expect(results.map((r) => r.status).sort()).toEqual(['changed', 'last-owner'])
    const owners = await getDb()
      .selectFrom('memberships')
      .select('user_id')
      .where('organisation_id', '=', a.organisation.id)
      .where('role', '=', 'owner')
      .execute()
    expect(owners).toHaveLength(1)
  })

  it('one of two owners may step down', async () => {
    const a = await createAdmin(getDb())
    await createAdmin(getDb(), { organisationId: a.organisation.id })
    const stepDown = await post(a, { intent: 'change-role', userId: a.user.id, role: 'viewer' })
    expect(stepDown.status).toBe(302)
    expect(stepDown.headers.get('Location')).toBe('/admin')
    expect(await roleOf(a.organisation.id, a.user.id)).toBe('viewer')
  })

  it('an owner of another organisation gets a 404 for this one’s members', async () => {
    const owner = await createAdmin(getDb())
    const member = await createAdmin(getDb(), { role: 'viewer', organisationId: owner.organisation.id })
    const stranger = await createAdmin(getDb())
    expect((await post(stranger, { intent: 'change-role', userId: member.user.id, role: 'owner' })).status).toBe(404)
    expect((await post(stranger, { intent: 'remove', userId: member.user.id })).status).toBe(404)
    expect(await roleOf(owner.organisation.id, member.user.id)).toBe('viewer')
  })

  it('a removed member’s session no longer opens the workspace', async () => {
    const owner = await createAdmin(getDb())
    const member = await createAdmin(getDb(), { role: 'campaigner', organisationId: owner.organisation.id })
    await post(owner, { intent: 'remove', userId: member.user.id })
    expect(await getActiveSession(member.token)).not.toBeNull()
    const outcome = await requireAdmin(new Request('http://localhost:3000/admin', { headers: member.headers })).catch((e) => e)
    expect(outcome.init.status).toBe(403)
  })
})

describe('audit log', () => {
  it('pages newest first and shows only the organisation’s own events', async () => {
    const owner = await createAdmin(getDb())
    const other = await createAdmin(getDb())
    for (let i = 0; i < 55; i++) {
      await recordAudit(getDb(), owner, { action: 'campaign.updated', subjectType: 'campaign', subjectId: i, changes: { n: i } })
    }
    await recordAudit(getDb(), other, { action: 'campaign.updated', subjectType: 'campaign', subjectId: 999 })
    const first = await callRoute(auditLoader, { url: '/admin/audit', headers: owner.headers })
    expect(first.data.events).toHaveLength(50)
    expect(first.data.events[0].subject).toBe('campaign #54')
    const second = await callRoute(auditLoader, { url: `/admin/audit?before=${first.data.next}`, headers: owner.headers })
    expect(second.data.events.map((e: any) => e.subject)).toEqual(['campaign #4', 'campaign #3', 'campaign #2', 'campaign #1', 'campaign #0'])
    expect(second.data.next).toBeNull()
    expect(JSON.stringify([first.data, second.data])).not.toContain('#999')
  })
})
