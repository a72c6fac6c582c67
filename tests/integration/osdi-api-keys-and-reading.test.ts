import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createSignature } from '../support/factories'
import { callRoute } from '../support/routes'
import { APP, BASE, get, keyFor, person, postJson, world } from '../support/osdi'
import * as entry from '~/routes/api.osdi.v1._index'
import * as elsewhere from '~/routes/api.osdi.v1.$'
import * as petitions from '~/routes/api.osdi.v1.petitions._index'
import * as petition from '~/routes/api.osdi.v1.petitions.$petitionId._index'
import * as signature from '~/routes/api.osdi.v1.petitions.$petitionId.signatures.$signatureId'
import * as signatures from '~/routes/api.osdi.v1.petitions.$petitionId.signatures._index'
import * as helper from '~/routes/api.osdi.v1.petitions.$petitionId.signatures.record_signature_helper'
import { getDb } from '~/utils/db.server'

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
