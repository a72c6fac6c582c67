import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { uniqueEmail } from '../support/factories'
import { queuedJobs, queuedEmails } from '../support/jobs'
import { callRoute } from '../support/routes'
import { BASE, get, keyFor, person, postJson, world } from '../support/osdi'
import { API_SIGNATURE_WINDOW_SECONDS, apiSignatureBucket } from '~/models/osdi-signature.server'
import { confirmSignature } from '~/models/signature.server'
import * as helperAtSpecPath from '~/routes/api.osdi.v1.petitions.$petitionId.record_signature_helper'
import * as signatures from '~/routes/api.osdi.v1.petitions.$petitionId.signatures._index'
import * as helper from '~/routes/api.osdi.v1.petitions.$petitionId.signatures.record_signature_helper'
import { open, openNullable } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'
import { getEnv, resetEnv } from '~/utils/env.server'

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
