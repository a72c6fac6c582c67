import crypto from 'node:crypto'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { adminForm, createAdmin } from '../support/admin'
import { callRoute } from '../support/routes'
import { authenticateApiKey, createApiKey, LAST_USED_GRANULARITY_SECONDS } from '~/models/api-key.server'
import { action, loader } from '~/routes/admin.api-keys'
import { loader as entryPoint } from '~/routes/api.osdi.v1._index'
import { getDb } from '~/utils/db.server'

const URL_ = '/admin/api-keys'
const post = (who: { headers: Record<string, string>; csrfToken: string }, values: Record<string, string>) =>
  callRoute(action, { url: URL_, method: 'POST', headers: who.headers, body: adminForm(who, values) })

describe('API keys in the workspace', () => {
  it('shows a new key once, stores only its hash, and lists it without the secret', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const created = await post(owner, { intent: 'create', name: 'CRM sync', scope: 'write' })
    expect(created.status).toBe(200)
    expect(created.headers.get('Cache-Control')).toBe('no-store')
    const key: string = created.data.created.key
    expect(key).toMatch(/^chorus_[a-z2-7]{10}_[A-Za-z0-9_-]{43}$/)
    expect(created.data.created).toMatchObject({ name: 'CRM sync', scope: 'write', prefix: key.split('_')[1] })

    const rows = await getDb().selectFrom('api_keys').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.key_hash.equals(crypto.createHash('sha256').update(key).digest())).toBe(true)
    expect(rows[0]).toMatchObject({ organisation_id: owner.organisation.id, name: 'CRM sync', scope: 'write', created_by: owner.user.id })
    const secretPart = key.split('_').slice(2).join('_')
    const { rows: dump } = await sql<{ t: string }>`select string_agg(t::text, '|') as t from api_keys t`.execute(getDb())
    expect(dump[0]!.t).not.toContain(secretPart)

    // The list (and the page after it) never carries the secret again.
    const page = await callRoute(loader, { url: URL_, headers: owner.headers })
    expect(page.data.keys).toEqual([
      expect.objectContaining({ name: 'CRM sync', prefix: rows[0]!.prefix, scope: 'write', lastUsedAt: null, revokedAt: null, createdBy: owner.user.email }),
    ])
    expect(JSON.stringify(page.data)).not.toContain(secretPart)

    // Audited, without the secret.
    const audit = await getDb().selectFrom('audit_events').selectAll().where('action', '=', 'api_key.created').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ organisation_id: owner.organisation.id, actor_user_id: owner.user.id, subject_type: 'api_key', subject_id: rows[0]!.id })
    expect(audit[0]!.changes).toEqual({ name: 'CRM sync', scope: 'write', crm_sync: false, prefix: rows[0]!.prefix })
    expect(JSON.stringify(audit)).not.toContain(secretPart)
  })

  it('refuses campaigners and viewers: only owners manage keys', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    for (const role of ['campaigner', 'viewer'] as const) {
      const member = await createAdmin(getDb(), { role, organisationId: owner.organisation.id })
      expect((await callRoute(loader, { url: URL_, headers: member.headers })).status).toBe(403)
      expect((await post(member, { intent: 'create', name: 'Sneaky', scope: 'write' })).status).toBe(403)
    }
    expect(await getDb().selectFrom('api_keys').selectAll().execute()).toHaveLength(0)
  })

  it('answers a form without a name or scope with 400 and translated-key errors', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const response = await post(owner, { intent: 'create', name: '  ', scope: 'admin' })
    expect(response.status).toBe(400)
    expect(response.data.result.error).toMatchObject({ name: ['osdi.keys.error.name'], scope: ['osdi.keys.error.scope'] })
    expect(await getDb().selectFrom('api_keys').selectAll().execute()).toHaveLength(0)
  })

  it('revokes a key: the API refuses it with 401 from then on, and the audit log says who', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const created = await createApiKey(owner.context, { name: 'Old CRM', scope: 'read' })
    if (created.status !== 'created') throw new Error('not created')
    const ask = () => callRoute(entryPoint, { url: '/api/osdi/v1', headers: { 'OSDI-API-Token': created.key } })
    expect((await ask()).status).toBe(200)

    const revoked = await post(owner, { intent: 'revoke', keyId: created.id })
    expect(revoked.status).toBe(302)
    expect(revoked.headers.get('Location')).toBe('/admin/api-keys?done=revoked')
    const answer = await ask()
    expect(answer.status).toBe(401)
    expect(answer.data.error).toBe('unauthorized')

    const row = await getDb().selectFrom('api_keys').selectAll().executeTakeFirstOrThrow()
    expect(row.revoked_at).not.toBeNull()
    expect(row.revoked_by).toBe(owner.user.id)
    const audit = await getDb().selectFrom('audit_events').selectAll().where('action', '=', 'api_key.revoked').execute()
    expect(audit).toMatchObject([{ actor_user_id: owner.user.id, subject_id: created.id, changes: { name: 'Old CRM', scope: 'read', prefix: created.prefix } }])
    expect(JSON.stringify(audit)).not.toContain(created.key)

    // Revoking twice is a 404 (nothing left to revoke), and changes nothing.
    expect((await post(owner, { intent: 'revoke', keyId: created.id })).status).toBe(404)
    const page = await callRoute(loader, { url: '/admin/api-keys?done=revoked', headers: owner.headers })
    expect(page.data.done).toBe('revoked')
    expect(page.data.keys[0].revokedAt).not.toBeNull()
  })

  it('makes a key for CRM sync only when the box is ticked, lists it, and the audit log says so', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const crm = await post(owner, { intent: 'create', name: 'Our CRM', scope: 'read', crmSync: 'on' })
    expect(crm.status).toBe(200)
    expect(crm.data.created).toMatchObject({ name: 'Our CRM', crmSync: true })
    const plain = await post(owner, { intent: 'create', name: 'Dashboard', scope: 'read' })
    expect(plain.data.created).toMatchObject({ name: 'Dashboard', crmSync: false })
    const rows = await getDb().selectFrom('api_keys').select(['name', 'crm_sync']).orderBy('id').execute()
    expect(rows).toEqual([
      { name: 'Our CRM', crm_sync: true },
      { name: 'Dashboard', crm_sync: false },
    ])
    const page = await callRoute(loader, { url: URL_, headers: owner.headers })
    expect(page.data.keys.map((k: any) => [k.name, k.crmSync])).toEqual([
      ['Dashboard', false],
      ['Our CRM', true],
    ])
    const audit = await getDb().selectFrom('audit_events').select('changes').where('action', '=', 'api_key.created').orderBy('id').execute()
    expect(audit.map((a) => (a.changes as any).crm_sync)).toEqual([true, false])
  })

  it('lets the owner turn CRM sync on and off for an active key, audited, and refuses other organisations and revoked keys', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const created = await createApiKey(owner.context, { name: 'Mailer', scope: 'read' })
    if (created.status !== 'created') throw new Error('not created')
    const crmOf = async () => (await getDb().selectFrom('api_keys').select('crm_sync').where('id', '=', created.id).executeTakeFirstOrThrow()).crm_sync

    const on = await post(owner, { intent: 'crm-sync', keyId: created.id, crmSync: 'on' })
    expect(on.status).toBe(302)
    expect(on.headers.get('Location')).toBe('/admin/api-keys?done=crm-on')
    expect(await crmOf()).toBe(true)
    expect((await authenticateApiKey(created.key))!.crmSync).toBe(true)
    // Asking for what is already so changes nothing and records nothing.
    expect((await post(owner, { intent: 'crm-sync', keyId: created.id, crmSync: 'on' })).status).toBe(302)
    const off = await post(owner, { intent: 'crm-sync', keyId: created.id, crmSync: 'off' })
    expect(off.headers.get('Location')).toBe('/admin/api-keys?done=crm-off')
    expect(await crmOf()).toBe(false)
    const audit = await getDb().selectFrom('audit_events').selectAll().where('action', '=', 'api_key.crm_sync_changed').orderBy('id').execute()
    expect(audit.map((a) => a.changes)).toEqual([
      { name: 'Mailer', prefix: created.prefix, crm_sync: { from: false, to: true } },
      { name: 'Mailer', prefix: created.prefix, crm_sync: { from: true, to: false } },
    ])
    expect(audit[0]).toMatchObject({ actor_user_id: owner.user.id, subject_type: 'api_key', subject_id: created.id })

    const bad = await post(owner, { intent: 'crm-sync', keyId: created.id, crmSync: 'maybe' })
    expect(bad.status).toBe(400)
    const stranger = await createAdmin(getDb(), { role: 'owner' })
    expect((await post(stranger, { intent: 'crm-sync', keyId: created.id, crmSync: 'on' })).status).toBe(404)
    const campaigner = await createAdmin(getDb(), { role: 'campaigner', organisationId: owner.organisation.id })
    expect((await post(campaigner, { intent: 'crm-sync', keyId: created.id, crmSync: 'on' })).status).toBe(403)
    expect(await crmOf()).toBe(false)
    await post(owner, { intent: 'revoke', keyId: created.id })
    expect((await post(owner, { intent: 'crm-sync', keyId: created.id, crmSync: 'on' })).status).toBe(404)
    expect(await crmOf()).toBe(false)
  })

  it('does not let an owner revoke another organisation’s key', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const stranger = await createAdmin(getDb(), { role: 'owner' })
    const created = await createApiKey(owner.context, { name: 'Ours', scope: 'read' })
    if (created.status !== 'created') throw new Error('not created')
    expect((await post(stranger, { intent: 'revoke', keyId: created.id })).status).toBe(404)
    const row = await getDb().selectFrom('api_keys').selectAll().executeTakeFirstOrThrow()
    expect(row.revoked_at).toBeNull()
    const theirs = await callRoute(loader, { url: URL_, headers: stranger.headers })
    expect(theirs.data.keys).toEqual([])
  })

  it('records when a key was last used, writing at most once a minute', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const created = await createApiKey(owner.context, { name: 'Busy', scope: 'read' })
    if (created.status !== 'created') throw new Error('not created')
    const lastUsed = async () => (await getDb().selectFrom('api_keys').select('last_used_at').executeTakeFirstOrThrow()).last_used_at
    expect(await lastUsed()).toBeNull()
    expect(await authenticateApiKey(created.key)).toMatchObject({ keyId: created.id, scope: 'read', organisation: { id: owner.organisation.id } })
    const first = await lastUsed()
    expect(first).not.toBeNull()
    await authenticateApiKey(created.key)
    expect((await lastUsed())!.getTime()).toBe(first!.getTime())
    await getDb()
      .updateTable('api_keys')
      .set({ last_used_at: sql`now() - make_interval(secs => ${LAST_USED_GRANULARITY_SECONDS + 5})` })
      .execute()
    const stale = await lastUsed()
    await authenticateApiKey(created.key)
    expect((await lastUsed())!.getTime()).toBeGreaterThan(stale!.getTime())
  })

  it('refuses look-alike and wrong keys', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const created = await createApiKey(owner.context, { name: 'Real', scope: 'read' })
    if (created.status !== 'created') throw new Error('not created')
    const tampered = `${created.key.slice(0, -1)}${created.key.endsWith('A') ? 'B' : 'A'}`
    expect(await authenticateApiKey(tampered)).toBeNull()
    expect(await authenticateApiKey(`chorus_${created.prefix}_`)).toBeNull()
    expect(await authenticateApiKey('')).toBeNull()
  })
})
