import { describe, expect, it } from 'vitest'
import { createSignature, uniqueEmail } from '../support/factories'
import { queuedEmails } from '../support/jobs'
import { get, keyFor, postJson, world } from '../support/osdi'
import { confirmSignature } from '~/models/signature.server'
import * as entry from '~/routes/api.osdi.v1._index'
import * as signature from '~/routes/api.osdi.v1.petitions.$petitionId.signatures.$signatureId'
import * as signatures from '~/routes/api.osdi.v1.petitions.$petitionId.signatures._index'
import * as helper from '~/routes/api.osdi.v1.petitions.$petitionId.signatures.record_signature_helper'
import { getDb } from '~/utils/db.server'

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
