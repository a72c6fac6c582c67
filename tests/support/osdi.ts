import type { ApiKeyScope } from '#db/types'
import { createApiKey } from '~/models/api-key.server'
import { getDb } from '~/utils/db.server'
import { createAdmin, type TestAdmin } from './admin'
import { createCampaign, uniqueEmail } from './factories'
import { callRoute } from './routes'

export const APP = 'http://localhost:3000'
export const BASE = `${APP}/api/osdi/v1`

/** An API key of the admin's organisation. */
export async function keyFor(admin: TestAdmin, scope: ApiKeyScope = 'read', { crmSync = false }: { crmSync?: boolean } = {}) {
  const created = await createApiKey(admin.context, { name: `${scope}${crmSync ? ' crm' : ''} key`, scope, crmSync })
  if (created.status !== 'created') throw new Error('key not created')
  return created
}

/** A GET to an OSDI route with the key in OSDI-API-Token (none when null). */
export const get = (
  fn: (args: any) => Promise<unknown>,
  url: string,
  key: string | null,
  params: Record<string, string> = {},
  headers: Record<string, string> = {},
) => callRoute(fn, { url, params, headers: { ...(key ? { 'OSDI-API-Token': key } : {}), ...headers } })

/** A JSON POST to a petition's record_signature_helper (or another path under the petition). */
export const postJson = (
  fn: (args: any) => Promise<unknown>,
  petitionId: string,
  key: string,
  body: unknown,
  headers: Record<string, string> = {},
  path = 'signatures/record_signature_helper',
) =>
  callRoute(fn, {
    url: `/api/osdi/v1/petitions/${petitionId}/${path}`,
    method: 'POST',
    params: { petitionId },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', 'OSDI-API-Token': key, ...headers },
    ip: '198.51.100.7',
  })

/** An OSDI person as record_signature_helper takes it. */
export const person = (email = uniqueEmail(), extra: Record<string, unknown> = {}) => ({
  person: {
    given_name: 'Grace',
    family_name: 'Brewster Hopper',
    email_addresses: [{ address: email, primary: true }],
    postal_addresses: [{ postal_code: 'sw1a 1aa', country: 'gb' }],
    ...extra,
  },
})

/** An organisation with two live petitions, a draft, and another organisation with its own petition. */
export async function world() {
  const db = getDb()
  const owner = await createAdmin(db, { role: 'owner' })
  const orgId = owner.organisation.id
  const older = await createCampaign(db, { organisation_id: orgId, title: 'Older petition', created_at: '2026-01-01T00:00:00Z' })
  const live = await createCampaign(db, {
    organisation_id: orgId,
    title: 'Free them',
    target_name: 'The Minister',
    target_role: 'Ministry of Justice',
    demand: 'Release them.',
    signature_count: 2,
    created_at: '2026-02-01T00:00:00Z',
  })
  const draft = await createCampaign(db, { organisation_id: orgId, status: 'draft', title: 'Secret draft' })
  const stranger = await createAdmin(db, { role: 'owner' })
  const theirs = await createCampaign(db, { organisation_id: stranger.organisation.id, title: 'Their petition' })
  return { owner, older, live, draft, stranger, theirs }
}
