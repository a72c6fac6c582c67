import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createAdmin, type TestAdmin } from '../support/admin'
import { createCampaign, createSignature, uniqueEmail } from '../support/factories'
import { queuedJobs, queuedEmails } from '../support/jobs'
import { callRoute } from '../support/routes'
import type { ApiKeyScope } from '#db/types'
import { createApiKey } from '~/models/api-key.server'
import { API_SIGNATURE_WINDOW_SECONDS, apiSignatureBucket } from '~/models/osdi-signature.server'
import { confirmSignature } from '~/models/signature.server'
import * as entry from '~/routes/api.osdi.v1._index'
import * as elsewhere from '~/routes/api.osdi.v1.$'
import * as petitions from '~/routes/api.osdi.v1.petitions._index'
import * as petition from '~/routes/api.osdi.v1.petitions.$petitionId._index'
import * as helperAtSpecPath from '~/routes/api.osdi.v1.petitions.$petitionId.record_signature_helper'
import * as signature from '~/routes/api.osdi.v1.petitions.$petitionId.signatures.$signatureId'
import * as signatures from '~/routes/api.osdi.v1.petitions.$petitionId.signatures._index'
import * as helper from '~/routes/api.osdi.v1.petitions.$petitionId.signatures.record_signature_helper'
import { open, openNullable } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'
import { getEnv, resetEnv } from '~/utils/env.server'

const APP = 'http://localhost:3000'
const BASE = `${APP}/api/osdi/v1`

async function keyFor(admin: TestAdmin, scope: ApiKeyScope = 'read', { crmSync = false }: { crmSync?: boolean } = {}) {
  const created = await createApiKey(admin.context, { name: `${scope}${crmSync ? ' crm' : ''} key`, scope, crmSync })
  if (created.status !== 'created') throw new Error('key not created')
  return created
}

const get = (fn: (args: any) => Promise<unknown>, url: string, key: string | null, params: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  callRoute(fn, { url, params, headers: { ...(key ? { 'OSDI-API-Token': key } : {}), ...headers } })

const postJson = (
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

const person = (email = uniqueEmail(), extra: Record<string, unknown> = {}) => ({
  person: {
    given_name: 'Grace',
    family_name: 'Brewster Hopper',
    email_addresses: [{ address: email, primary: true }],
    postal_addresses: [{ postal_code: 'sw1a 1aa', country: 'gb' }],
    ...extra,
  },
})

async function world() {
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

describe('OSDI API: keys and scopes', () => {
  it('answers no key, a wrong key and a revoked key with a 401 JSON error', async () => {
    const { owner } = await world()
    const key = await keyFor(owner)
    const none = await get(entry.loader, '/api/osdi/v1', null)
    expect(none.status).toBe(401)
    expect(none.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(none.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
    expect(none.data).toEqual({ error: 'unauthorized', message: expect.stringContaining('OSDI-API-Token') })
    const wrong = await get(entry.loader, '/api/osdi/v1', `chorus_${key.prefix}_${'A'.repeat(43)}`)
    expect(wrong.status).toBe(401)
    await getDb()
      .updateTable('api_keys')
      .set({ revoked_at: sql`now()` })
      .execute()
    const revoked = await get(entry.loader, '/api/osdi/v1', key.key)
    expect(revoked.status).toBe(401)
    expect(revoked.data.error).toBe('unauthorized')
  })

  it('accepts the key as Authorization: Bearer too, and answers errors in the Accept-Language', async () => {
    const { owner } = await world()
    const key = await keyFor(owner)
    const bearer = await callRoute(entry.loader, { url: '/api/osdi/v1', headers: { Authorization: `Bearer ${key.key}` } })
    expect(bearer.status).toBe(200)
    const russian = await callRoute(entry.loader, { url: '/api/osdi/v1', headers: { 'Accept-Language': 'ru-RU,ru;q=0.9' } })
    expect(russian.status).toBe(401)
    expect(russian.data.message).toContain('Передайте API-ключ')
  })

  it('lets a read key read but not write (403), and a write key do both', async () => {
    const { owner, live } = await world()
    const read = await keyFor(owner, 'read')
    const write = await keyFor(owner, 'write')
    const refused = await postJson(helper.action, live.id, read.key, person())
    expect(refused.status).toBe(403)
    expect(refused.data.error).toBe('forbidden')
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(0)
    expect((await get(petition.loader, `/api/osdi/v1/petitions/${live.id}`, write.key, { petitionId: live.id })).status).toBe(200)
    expect((await postJson(helper.action, live.id, write.key, person())).status).toBe(201)
  })
})

describe('OSDI API: reading', () => {
  it('serves the entry point as HAL with links to the petitions', async () => {
    const { owner } = await world()
    const key = await keyFor(owner)
    const response = await get(entry.loader, '/api/osdi/v1', key.key)
    expect(response.status).toBe(200)
    expect(response.headers.get('Content-Type')).toBe('application/hal+json; charset=utf-8')
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.data).toMatchObject({
      motd: expect.stringContaining(owner.organisation.name),
      vendor_name: 'Chorus',
      max_pagesize: 100,
      'chorus:api_key': { prefix: key.prefix, scope: 'read' },
      _links: {
        self: { href: BASE },
        'osdi:petitions': { href: `${BASE}/petitions` },
        curies: [{ name: 'osdi', templated: true, href: expect.stringContaining('{rel}') }],
      },
    })
    const post = await callRoute(entry.action, { url: '/api/osdi/v1', method: 'POST', headers: { 'OSDI-API-Token': key.key } })
    expect(post.status).toBe(405)
    expect(post.headers.get('Allow')).toBe('GET, HEAD')
  })

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await callRoute(elsewhere.loader, { url: '/api/osdi/v1/people', params: { '*': 'people' } })
    expect(response.status).toBe(404)
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(response.data.error).toBe('not_found')
  })

  it('lists only the organisation’s live and closed petitions, paged, newest first', async () => {
    const { owner, older, live } = await world()
    const key = await keyFor(owner)
    const first = await get(petitions.loader, '/api/osdi/v1/petitions?per_page=1', key.key)
    expect(first.status).toBe(200)
    expect(first.headers.get('Content-Type')).toMatch(/^application\/hal\+json/)
    expect(first.data).toMatchObject({ page: 1, per_page: 1, total_records: 2, total_pages: 2 })
    expect(first.data._embedded['osdi:petitions'].map((p: any) => p.title)).toEqual(['Free them'])
    expect(first.data._links.self.href).toBe(`${BASE}/petitions?page=1&per_page=1`)
    expect(first.data._links.next.href).toBe(`${BASE}/petitions?page=2&per_page=1`)
    expect(first.data._links.prev).toBeUndefined()
    expect(first.data._links['osdi:petitions']).toEqual([{ href: `${BASE}/petitions/${live.id}` }])

    const second = await get(petitions.loader, first.data._links.next.href.replace(APP, ''), key.key)
    expect(second.data._embedded['osdi:petitions'].map((p: any) => p.identifiers)).toEqual([[`chorus:${older.id}`]])
    expect(second.data._links.next).toBeUndefined()
    expect(second.data._links.prev.href).toBe(`${BASE}/petitions?page=1&per_page=1`)

    const all = await get(petitions.loader, '/api/osdi/v1/petitions?per_page=1000', key.key)
    expect(all.data.per_page).toBe(100)
    const text = JSON.stringify(all.data)
    expect(text).not.toContain('Secret draft')
    expect(text).not.toContain('Their petition')
    expect((await get(petitions.loader, '/api/osdi/v1/petitions?page=two', key.key)).status).toBe(400)
  })

  it('shows a petition with its texts, target, cached total and links', async () => {
    const { owner, live } = await world()
    const key = await keyFor(owner)
    const response = await get(petition.loader, `/api/osdi/v1/petitions/${live.id}`, key.key, { petitionId: live.id })
    expect(response.status).toBe(200)
    const self = `${BASE}/petitions/${live.id}`
    expect(response.data).toMatchObject({
      identifiers: [`chorus:${live.id}`],
      origin_system: 'Chorus',
      title: 'Free them',
      summary: live.summary,
      petition_text: 'Release them.',
      target: [{ name: 'The Minister', title: 'Ministry of Justice' }],
      total_signatures: 2,
      browser_url: `${APP}/campaigns/${live.slug}`,
      created_date: '2026-02-01T00:00:00.000Z',
      'chorus:status': 'live',
      'chorus:consent_wording': { updates: 'Keep me updated about this campaign', show_name: expect.any(String) },
      _links: {
        self: { href: self },
        'osdi:signatures': { href: `${self}/signatures` },
        'osdi:record_signature_helper': { href: `${self}/signatures/record_signature_helper` },
        curies: expect.any(Array),
      },
    })
    // The story is rendered (and sanitised) HTML, as OSDI's description may be.
    expect(response.data.description).toContain('<strong>must</strong>')
    expect(Date.parse(response.data.modified_date)).not.toBeNaN()
  })

  it('answers 404 for another organisation’s petition, a draft and nonsense ids', async () => {
    const { owner, draft, theirs } = await world()
    const key = await keyFor(owner)
    for (const id of [theirs.id, draft.id, 'abc', '0', '99999999']) {
      const response = await get(petition.loader, `/api/osdi/v1/petitions/${id}`, key.key, { petitionId: id })
      expect(response.status, id).toBe(404)
      expect(response.data.error).toBe('not_found')
      expect(JSON.stringify(response.data)).not.toContain('Their petition')
      const list = await get(signatures.loader, `/api/osdi/v1/petitions/${id}/signatures`, key.key, { petitionId: id })
      expect(list.status, id).toBe(404)
    }
  })

  it('pages through confirmed signatures only, with the person as OSDI has it and nothing more', async () => {
    const { owner, live, theirs } = await world()
    const db = getDb()
    // The CRM sync key: the one kind that receives email addresses (decision 0047).
    const key = await keyFor(owner, 'read', { crmSync: true })
    const a = await createSignature(db, {
      campaign_id: live.id,
      full_name: 'Ada  King Lovelace',
      email: 'ada@example.org',
      country: 'GB',
      postcode: 'N1 9GU',
      locale: 'en',
      state: 'confirmed',
      consent_updates: true,
      consent_show_name: true,
      confirmed_at: '2026-03-01T10:00:00Z',
      ip_hash: Buffer.from('secret-ip-hash'),
      utm_source: 'newsletter',
    })
    const b = await createSignature(db, {
      campaign_id: live.id,
      full_name: 'Борис',
      country: 'RU',
      locale: 'ru',
      state: 'confirmed',
      confirmed_at: '2026-03-02T10:00:00Z',
    })
    await createSignature(db, { campaign_id: live.id, full_name: 'Pending Person', email: 'pending@example.org' })
    await createSignature(db, { campaign_id: live.id, full_name: 'Invalid Person', state: 'invalidated' })
    await createSignature(db, { campaign_id: theirs.id, full_name: 'Their Signer', state: 'confirmed' })

    const url = `/api/osdi/v1/petitions/${live.id}/signatures?per_page=1`
    const first = await get(signatures.loader, url, key.key, { petitionId: live.id })
    expect(first.status).toBe(200)
    expect(first.headers.get('Content-Type')).toMatch(/^application\/hal\+json/)
    expect(first.data).toMatchObject({ page: 1, per_page: 1, total_pages: 2, total_records: 2 })
    const [ada] = first.data._embedded['osdi:signatures']
    expect(ada).toEqual({
      identifiers: [`chorus:${a.id}`],
      origin_system: 'Chorus',
      created_date: a.created_at.toISOString(),
      modified_date: a.updated_at.toISOString(),
      action_date: a.created_at.toISOString(),
      'chorus:status': 'confirmed',
      'chorus:confirmed_date': '2026-03-01T10:00:00.000Z',
      'chorus:consent_updates': true,
      'chorus:consent_show_name': true,
      referrer_data: { source: 'newsletter' },
      _links: {
        self: { href: `${BASE}/petitions/${live.id}/signatures/${a.id}` },
        'osdi:petition': { href: `${BASE}/petitions/${live.id}` },
      },
      _embedded: {
        'osdi:person': {
          given_name: 'Ada',
          family_name: 'King Lovelace',
          email_addresses: [{ address: 'ada@example.org', primary: true }],
          postal_addresses: [{ primary: true, postal_code: 'N1 9GU', country: 'GB' }],
          languages_spoken: ['en'],
        },
      },
    })
    expect(first.data._links['osdi:signatures']).toEqual([{ href: `${BASE}/petitions/${live.id}/signatures/${a.id}` }])
    const second = await get(signatures.loader, first.data._links.next.href.replace(APP, ''), key.key, { petitionId: live.id })
    const [boris] = second.data._embedded['osdi:signatures']
    expect(boris.identifiers).toEqual([`chorus:${b.id}`])
    // Борис did not agree to be named: his person has no name at all (decision 0047).
    expect(boris['chorus:consent_show_name']).toBe(false)
    expect(boris._embedded['osdi:person']).toEqual({
      email_addresses: [{ address: b.email, primary: true }],
      postal_addresses: [{ primary: true, country: 'RU' }],
      languages_spoken: ['ru'],
    })
    const everything = JSON.stringify([first.data, second.data])
    for (const hidden of ['Борис', 'Pending Person', 'Invalid Person', 'Their Signer', 'ip_hash', 'secret-ip-hash', 'token']) {
      expect(everything).not.toContain(hidden)
    }
  })

  it('shows one signature at its self link; a pending one without the person', async () => {
    const { owner, live, theirs } = await world()
    const key = await keyFor(owner, 'read', { crmSync: true })
    const confirmed = await createSignature(getDb(), { campaign_id: live.id, state: 'confirmed' })
    const pending = await createSignature(getDb(), { campaign_id: live.id, email: 'pending-one@example.org' })
    const theirSignature = await createSignature(getDb(), { campaign_id: theirs.id, state: 'confirmed' })
    const one = (petitionId: string, signatureId: string) =>
      get(signature.loader, `/api/osdi/v1/petitions/${petitionId}/signatures/${signatureId}`, key.key, { petitionId, signatureId })
    const shown = await one(live.id, confirmed.id)
    expect(shown.status).toBe(200)
    expect(shown.data._embedded['osdi:person'].email_addresses[0].address).toBe(confirmed.email)
    const waiting = await one(live.id, pending.id)
    expect(waiting.status).toBe(200)
    expect(waiting.data['chorus:status']).toBe('pending')
    expect(waiting.data._embedded).toBeUndefined()
    expect(JSON.stringify(waiting.data)).not.toContain('pending-one@example.org')
    expect((await one(theirs.id, theirSignature.id)).status).toBe(404)
    expect((await one(live.id, theirSignature.id)).status).toBe(404)
  })
})

describe('OSDI API: email addresses only for the CRM sync', () => {
  async function signed() {
    const { owner, live } = await world()
    const db = getDb()
    const confirmed = await createSignature(db, {
      campaign_id: live.id,
      full_name: 'Quiet Signer',
      email: 'quiet.signer@example.org',
      postcode: 'N1 9GU',
      country: 'GB',
      state: 'confirmed',
      consent_show_name: true,
      confirmed_at: '2026-03-01T10:00:00Z',
    })
    return { owner, live, confirmed }
  }
  const everything = async (key: string, live: { id: string }, signatureId: string) => {
    const list = await get(signatures.loader, `/api/osdi/v1/petitions/${live.id}/signatures`, key, { petitionId: live.id })
    const one = await get(signature.loader, `/api/osdi/v1/petitions/${live.id}/signatures/${signatureId}`, key, { petitionId: live.id, signatureId })
    expect(list.status).toBe(200)
    expect(one.status).toBe(200)
    return { list: list.data, one: one.data }
  }

  it('gives a read or write key without CRM sync the signatures, consented names and postcodes but no email address anywhere', async () => {
    const { owner, live, confirmed } = await signed()
    for (const scope of ['read', 'write'] as const) {
      const key = await keyFor(owner, scope)
      const entryPoint = await get(entry.loader, '/api/osdi/v1', key.key)
      expect(entryPoint.data['chorus:api_key']).toEqual({ prefix: key.prefix, scope, crm_sync: false })
      const { list, one } = await everything(key.key, live, confirmed.id)
      const [listed] = list._embedded['osdi:signatures']
      for (const person of [listed._embedded['osdi:person'], one._embedded['osdi:person']]) {
        expect(person).toEqual({
          given_name: 'Quiet',
          family_name: 'Signer',
          postal_addresses: [{ primary: true, postal_code: 'N1 9GU', country: 'GB' }],
          languages_spoken: ['en'],
        })
      }
      const text = JSON.stringify([list, one])
      expect(text).not.toContain('quiet.signer')
      expect(text).not.toContain('email_addresses')
      expect(text).not.toContain('@')
    }
  })

  it('gives a CRM sync key the email address in the list, the single signature and the embedded person', async () => {
    const { owner, live, confirmed } = await signed()
    const key = await keyFor(owner, 'read', { crmSync: true })
    expect((await get(entry.loader, '/api/osdi/v1', key.key)).data['chorus:api_key']).toMatchObject({ crm_sync: true })
    const { list, one } = await everything(key.key, live, confirmed.id)
    const address = [{ address: 'quiet.signer@example.org', primary: true }]
    expect(list._embedded['osdi:signatures'][0]._embedded['osdi:person'].email_addresses).toEqual(address)
    expect(one._embedded['osdi:person'].email_addresses).toEqual(address)
  })

  it('follows the key: turning CRM sync off stops the addresses at the next request', async () => {
    const { owner, live, confirmed } = await signed()
    const key = await keyFor(owner, 'read', { crmSync: true })
    expect(JSON.stringify(await everything(key.key, live, confirmed.id))).toContain('quiet.signer@example.org')
    await getDb().updateTable('api_keys').set({ crm_sync: false }).where('id', '=', key.id).execute()
    expect(JSON.stringify(await everything(key.key, live, confirmed.id))).not.toContain('quiet.signer')
  })
})

describe('OSDI API: names only by the signer’s consent', () => {
  async function signers() {
    const { owner, live } = await world()
    const db = getDb()
    const named = await createSignature(db, {
      campaign_id: live.id,
      full_name: 'Named Nadezhda Signer',
      email: 'named@example.org',
      country: 'GB',
      state: 'confirmed',
      consent_show_name: true,
      confirmed_at: '2026-03-01T10:00:00Z',
    })
    const unnamed = await createSignature(db, {
      campaign_id: live.id,
      full_name: 'Hidden Khadija Withheld',
      email: 'unnamed@example.org',
      country: 'GB',
      postcode: 'N1 9GU',
      state: 'confirmed',
      consent_show_name: false,
      confirmed_at: '2026-03-02T10:00:00Z',
    })
    return { owner, live, named, unnamed }
  }
  const read = async (key: string, petitionId: string, signatureId: string) => {
    const list = await get(signatures.loader, `/api/osdi/v1/petitions/${petitionId}/signatures`, key, { petitionId })
    const one = await get(signature.loader, `/api/osdi/v1/petitions/${petitionId}/signatures/${signatureId}`, key, { petitionId, signatureId })
    expect(list.status).toBe(200)
    expect(one.status).toBe(200)
    return { list, one }
  }
  const listedPerson = (list: { data: any }, signatureId: string) =>
    list.data._embedded['osdi:signatures'].find((item: any) => item.identifiers[0] === `chorus:${signatureId}`)._embedded['osdi:person']

  it('leaves the name out of the list, the single signature and the embedded person for every key when the signer did not agree', async () => {
    const { owner, live, unnamed } = await signers()
    for (const key of [await keyFor(owner, 'read'), await keyFor(owner, 'write'), await keyFor(owner, 'read', { crmSync: true })]) {
      const { list, one } = await read(key.key, live.id, unnamed.id)
      expect(one.data['chorus:consent_show_name']).toBe(false)
      for (const person of [listedPerson(list, unnamed.id), one.data._embedded['osdi:person']]) {
        // Left out, not blanked: no given_name or family_name key at all.
        expect(person).not.toHaveProperty('given_name')
        expect(person).not.toHaveProperty('family_name')
        expect(person.postal_addresses).toEqual([{ primary: true, postal_code: 'N1 9GU', country: 'GB' }])
      }
      // Nowhere in the raw answers either (the CRM sync key still gets the address).
      for (const raw of [list.text, one.text]) {
        for (const word of ['Hidden', 'Khadija', 'Withheld']) expect(raw).not.toContain(word)
      }
      expect(one.text.includes('unnamed@example.org')).toBe(key.crmSync)
    }
  })

  it('gives every key the name of a signer who agreed to be named', async () => {
    const { owner, live, named } = await signers()
    for (const key of [await keyFor(owner, 'read'), await keyFor(owner, 'read', { crmSync: true })]) {
      const { list, one } = await read(key.key, live.id, named.id)
      for (const person of [listedPerson(list, named.id), one.data._embedded['osdi:person']]) {
        expect(person).toMatchObject({ given_name: 'Named', family_name: 'Nadezhda Signer' })
      }
      expect(list.text).toContain('Nadezhda')
    }
  })

  it('follows the consent given through record_signature_helper once the signature is confirmed', async () => {
    const { owner, live } = await world()
    const key = await keyFor(owner, 'write')
    const quiet = await postJson(helper.action, live.id, key.key, {
      person: { given_name: 'Silent', family_name: 'Partner', email_addresses: [{ address: uniqueEmail() }], postal_addresses: [{ country: 'DE' }] },
      'chorus:consent_show_name': false,
    })
    const spoken = await postJson(helper.action, live.id, key.key, {
      person: { given_name: 'Open', family_name: 'Voice', email_addresses: [{ address: uniqueEmail() }], postal_addresses: [{ country: 'DE' }] },
      'chorus:consent_show_name': true,
    })
    expect([quiet.status, spoken.status]).toEqual([201, 201])
    // The answers are pending signatures: no person, so no name, whatever the consent.
    expect(quiet.text).not.toContain('Silent')
    expect(spoken.text).not.toContain('Open Voice')
    for (const job of await queuedEmails('signature-confirmation')) {
      expect((await confirmSignature(job.payload.token!)).status).toBe('confirmed')
    }
    const list = await get(signatures.loader, `/api/osdi/v1/petitions/${live.id}/signatures`, key.key, { petitionId: live.id })
    expect(list.data.total_records).toBe(2)
    const people = list.data._embedded['osdi:signatures'].map((item: any) => item._embedded['osdi:person'])
    expect(people.filter((person: any) => 'given_name' in person)).toEqual([expect.objectContaining({ given_name: 'Open', family_name: 'Voice' })])
    expect(list.text).not.toContain('Silent')
    expect(list.text).not.toContain('Partner')
  })
})

describe('OSDI API: record_signature_helper', () => {
  it('creates a pending signature under the form’s rules and queues the confirmation email', async () => {
    const { owner, live } = await world()
    const key = await keyFor(owner, 'write')
    const email = uniqueEmail()
    const response = await postJson(helper.action, live.id, key.key, {
      ...person(email, { languages_spoken: ['ru-RU'] }),
      add_tags: ['volunteer'],
      referrer_data: { source: 'partner-site' },
      'chorus:consent_updates': true,
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('Content-Type')).toMatch(/^application\/hal\+json/)
    const stored = await getDb().selectFrom('signatures').selectAll().executeTakeFirstOrThrow()
    // Stored sealed (decision 0040); read as the app reads it.
    expect(stored.email).toMatch(/^v\d+:/)
    const row = { ...stored, full_name: await open(stored.full_name), email: await open(stored.email), postcode: await openNullable(stored.postcode) }
    expect(row).toMatchObject({
      campaign_id: live.id,
      full_name: 'Grace Brewster Hopper',
      email,
      country: 'GB',
      postcode: 'SW1A 1AA',
      locale: 'ru',
      state: 'pending',
      consent_updates: true,
      consent_show_name: false,
      source: `api:${key.prefix}`,
      utm_source: 'partner-site',
    })
    expect(response.headers.get('Location')).toBe(`${BASE}/petitions/${live.id}/signatures/${row.id}`)
    expect(response.data).toMatchObject({
      identifiers: [`chorus:${row.id}`],
      'chorus:status': 'pending',
      'chorus:consent_updates': true,
      _links: { self: { href: `${BASE}/petitions/${live.id}/signatures/${row.id}` } },
    })
    expect(response.data._embedded).toBeUndefined()
    const jobs = await queuedEmails('signature-confirmation')
    expect(jobs).toHaveLength(1)
    expect(jobs[0]!.payload.signatureId).toBe(row.id)

    // The email's link confirms it, as for the form; then the API lists it.
    expect((await confirmSignature(jobs[0]!.payload.token!)).status).toBe('confirmed')
    const list = await get(signatures.loader, `/api/osdi/v1/petitions/${live.id}/signatures`, key.key, { petitionId: live.id })
    expect(list.data.total_records).toBe(1)
  })

  it('answers a duplicate with 200 and no details, emailing the address as the form does', async () => {
    const { owner, live } = await world()
    const key = await keyFor(owner, 'write')
    const email = uniqueEmail()
    expect((await postJson(helper.action, live.id, key.key, person(email))).status).toBe(201)
    const again = await postJson(signatures.action, live.id, key.key, person(email.toUpperCase()), {}, 'signatures')
    expect(again.status).toBe(200)
    expect(again.data).toMatchObject({ 'chorus:status': 'duplicate', notice: expect.any(String) })
    expect(again.data.identifiers).toBeUndefined()
    expect(JSON.stringify(again.data)).not.toContain(email)
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(1)
    // Pending: a fresh confirmation email, within the form's daily allowance.
    expect(await queuedEmails('signature-confirmation')).toHaveLength(2)
  })

  it('also records at the OSDI specification’s path, /petitions/:id/record_signature_helper', async () => {
    const { owner, live } = await world()
    const key = await keyFor(owner, 'write')
    const response = await postJson(helperAtSpecPath.action, live.id, key.key, person(), {}, 'record_signature_helper')
    expect(response.status).toBe(201)
    expect((await callRoute(helperAtSpecPath.loader, { url: `/api/osdi/v1/petitions/${live.id}/record_signature_helper` })).status).toBe(405)
  })

  it('answers invalid people with 400 and translated messages per OSDI field', async () => {
    const { owner, live } = await world()
    const key = await keyFor(owner, 'write')
    const response = await postJson(
      helper.action,
      live.id,
      key.key,
      {
        person: {
          given_name: '=HYPERLINK("x")',
          email_addresses: [{ address: 'nobody' }],
          postal_addresses: [{ country: 'ZZ', postal_code: '<script>' }],
        },
      },
      { 'Accept-Language': 'ru' },
    )
    expect(response.status).toBe(400)
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/)
    expect(response.data.error).toBe('invalid_request')
    const byField = Object.fromEntries(response.data.errors.map((e: any) => [e.field, e.code]))
    expect(byField).toMatchObject({
      'person.given_name': 'sign.error.nameFormula',
      'person.email_addresses[0].address': 'sign.error.emailInvalid',
      'person.postal_addresses[0].country': 'sign.error.countryRequired',
      'person.postal_addresses[0].postal_code': 'sign.error.postcodeInvalid',
    })
    for (const error of response.data.errors) {
      expect(error.message).not.toBe(error.code)
      expect(error.message).toMatch(/[а-яё]/i)
    }
    const shape = await postJson(helper.action, live.id, key.key, { person: { email_addresses: 'a@b.org' }, 'chorus:consent_updates': 'yes' })
    expect(shape.status).toBe(400)
    expect(shape.data.errors.map((e: any) => e.field)).toEqual(expect.arrayContaining(['person.email_addresses', 'chorus:consent_updates']))
    const missing = await postJson(helper.action, live.id, key.key, { person: {} })
    expect(missing.status).toBe(400)
    expect(missing.data.errors.map((e: any) => e.code)).toEqual(
      expect.arrayContaining(['sign.error.nameRequired', 'sign.error.emailRequired', 'sign.error.countryRequired']),
    )
    expect((await postJson(helper.action, live.id, key.key, [1, 2])).status).toBe(400)
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(0)
    expect(await queuedJobs()).toHaveLength(0)
  })

  it('answers bad JSON with 400, other content types with 415 and large bodies with 413, never a 500', async () => {
    const { owner, live } = await world()
    const key = await keyFor(owner, 'write')
    const broken = await postJson(helper.action, live.id, key.key, '{"person": ')
    expect(broken.status).toBe(400)
    expect(broken.data.error).toBe('invalid_json')
    const form = await postJson(helper.action, live.id, key.key, 'given_name=Ada', { 'Content-Type': 'application/x-www-form-urlencoded' })
    expect(form.status).toBe(415)
    expect(form.data.error).toBe('unsupported_media_type')
    const huge = await postJson(helper.action, live.id, key.key, person(uniqueEmail(), { notes: 'x'.repeat(20_000) }))
    expect(huge.status).toBe(413)
    const latin1 = await callRoute(helper.action, {
      url: `/api/osdi/v1/petitions/${live.id}/signatures/record_signature_helper`,
      method: 'POST',
      params: { petitionId: live.id },
      body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      headers: { 'Content-Type': 'application/json', 'OSDI-API-Token': key.key },
    })
    expect(latin1.status).toBe(400)
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(0)
  })

  it('refuses closed petitions (409) and another organisation’s petitions (404)', async () => {
    const { owner, live, theirs } = await world()
    const key = await keyFor(owner, 'write')
    await getDb().updateTable('campaigns').set({ status: 'closed' }).where('id', '=', live.id).execute()
    const closed = await postJson(helper.action, live.id, key.key, person())
    expect(closed.status).toBe(409)
    expect(closed.data.error).toBe('petition_closed')
    const foreign = await postJson(helper.action, theirs.id, key.key, person())
    expect(foreign.status).toBe(404)
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(0)
  })

  it('limits each key’s signatures per hour with a 429 and Retry-After', async () => {
    const { owner, live } = await world()
    const key = await keyFor(owner, 'write')
    const other = await keyFor(owner, 'write')
    // This hour's window already holds the key's whole allowance.
    await sql`insert into rate_limits (bucket, window_start, hits)
      values (${apiSignatureBucket(key.id)}, to_timestamp(floor(extract(epoch from now()) / ${API_SIGNATURE_WINDOW_SECONDS}) * ${API_SIGNATURE_WINDOW_SECONDS}), ${getEnv().API_SIGN_RATE_LIMIT})`.execute(
      getDb(),
    )
    const limited = await postJson(helper.action, live.id, key.key, person())
    expect(limited.status).toBe(429)
    expect(limited.data.error).toBe('rate_limited')
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(0)
    // Another key of the same organisation has its own allowance.
    expect((await postJson(helper.action, live.id, other.key, person())).status).toBe(201)
  })

  it('takes its hourly allowance per key from API_SIGN_RATE_LIMIT', async () => {
    const { owner, live } = await world()
    const key = await keyFor(owner, 'write')
    process.env.API_SIGN_RATE_LIMIT = '2'
    resetEnv()
    try {
      expect((await postJson(helper.action, live.id, key.key, person())).status).toBe(201)
      expect((await postJson(helper.action, live.id, key.key, person())).status).toBe(201)
      expect((await postJson(helper.action, live.id, key.key, person())).status).toBe(429)
    } finally {
      delete process.env.API_SIGN_RATE_LIMIT
      resetEnv()
    }
    expect(getEnv().API_SIGN_RATE_LIMIT).toBe(600)
  })

  it('answers other methods with 405 and the methods allowed', async () => {
    const { owner, live } = await world()
    const key = await keyFor(owner, 'write')
    const response = await get(helper.loader, `/api/osdi/v1/petitions/${live.id}/signatures/record_signature_helper`, key.key, { petitionId: live.id })
    expect(response.status).toBe(405)
    expect(response.headers.get('Allow')).toBe('POST')
    const put = await callRoute(signatures.action, {
      url: `/api/osdi/v1/petitions/${live.id}/signatures`,
      method: 'PUT',
      params: { petitionId: live.id },
      headers: { 'OSDI-API-Token': key.key },
    })
    expect(put.status).toBe(405)
    expect(put.headers.get('Allow')).toBe('GET, HEAD, POST')
  })
})
