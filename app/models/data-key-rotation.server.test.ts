import { sql } from 'kysely'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCampaign } from '../../tests/support/factories'
import { openEmailRow, queuedEmails, runDueJobs } from '../../tests/support/jobs'
import { forgetAllKeys } from '~/models/data-key.server'
import { reencryptRows, retireDataKeys, rewrapDataKeys } from '~/models/data-key-rotation.server'
import { addManualSuppression, isSuppressed, listSuppressions } from '~/models/email-preferences.server'
import { confirmSignature, signCampaign } from '~/models/signature.server'
import { listSupporters } from '~/models/supporter.server'
import { masterKeyId, sealedKeyId } from '~/utils/data-crypto.server'
import { getDb } from '~/utils/db.server'
import { resetEnv } from '~/utils/env.server'

const OLD = process.env.DATA_ENCRYPTION_KEY!
const NEW = Buffer.alloc(32, 42).toString('base64')
const context = { ip: '198.51.100.20', userAgent: 't', locale: 'en' as const }

function useMasterKeys(current: string, previous?: string) {
  process.env.DATA_ENCRYPTION_KEY = current
  if (previous) process.env.DATA_ENCRYPTION_KEY_PREVIOUS = previous
  else delete process.env.DATA_ENCRYPTION_KEY_PREVIOUS
  resetEnv()
  forgetAllKeys() // as a process restarted with this configuration
}

// These tests re-wrap the worker database's keys: they start and end with none.
beforeEach(async () => {
  await sql`truncate data_keys`.execute(getDb())
  useMasterKeys(OLD)
})
afterEach(async () => {
  await sql`truncate data_keys`.execute(getDb())
  useMasterKeys(OLD)
})
afterAll(() => useMasterKeys(OLD))

/** Signers, a confirmation and thanks sent, a suppression: values under every kind of key. */
async function world() {
  const campaign = await createCampaign(getDb())
  const emails = ['rota.one@example.org', 'rota.two@example.org', 'rota.three@example.org']
  for (const [i, email] of emails.entries()) {
    await signCampaign({ id: campaign.id, consentVersion: 'v' }, { fullName: `Rota ${i}`, email, country: 'GB', postcode: 'RT1 1AA' }, context)
  }
  const token = (await queuedEmails('signature-confirmation')).at(-1)!.payload.token as string
  await confirmSignature(token)
  await runDueJobs()
  const actor = { user: null, organisation: { id: String(campaign.organisation_id) } }
  await addManualSuppression(actor, 'rota.suppressed@example.org')
  return { campaign, emails, actor }
}

async function everythingReadable(campaignId: string, organisationId: string, emails: string[]) {
  for (const email of emails) {
    const [found] = (await listSupporters(campaignId, { q: email })).supporters
    expect(found?.email).toBe(email)
  }
  const messages = await Promise.all((await getDb().selectFrom('email_messages').selectAll().where('status', '=', 'sent').execute()).map(openEmailRow))
  expect(messages.length).toBeGreaterThan(0)
  expect(messages.every((m) => emails.includes(m.recipient) && m.html!.includes('<html'))).toBe(true)
  expect((await listSuppressions(organisationId)).items.map((i) => i.email)).toEqual(['rota.suppressed@example.org'])
  expect(await isSuppressed(organisationId, 'Rota.Suppressed@example.org')).toBe(true)
}

describe('npm run keys:rotate', () => {
  it('re-wraps every key under the new master key; every row stays readable once the old key is gone', async () => {
    const { campaign, emails, actor } = await world()
    useMasterKeys(NEW, OLD)
    const first = await rewrapDataKeys()
    expect(first.rewrapped).toBeGreaterThanOrEqual(2) // the organisation's data key and the index key
    expect(await rewrapDataKeys()).toEqual({ rewrapped: 0, alreadyCurrent: first.rewrapped })
    const keys = await getDb().selectFrom('data_keys').select('master_id').execute()
    expect(keys.every((k) => k.master_id === masterKeyId(Buffer.from(NEW, 'base64')))).toBe(true)

    useMasterKeys(NEW)
    await everythingReadable(campaign.id, actor.organisation.id, emails)
    // Blind indexes did not move: the same inbox is still one signer.
    const again = await signCampaign({ id: campaign.id, consentVersion: 'v' }, { fullName: 'Rota', email: 'Rota.One+x@example.org', country: 'GB' }, context)
    expect(again.outcome).toBe('resent')
  })

  it('refuses to open a key wrapped by a master key it was not given', async () => {
    const { campaign } = await world()
    useMasterKeys(NEW)
    await expect(listSupporters(campaign.id, {})).rejects.toThrow(/wrapped by master key/)
  })
})

describe('npm run keys:reencrypt', () => {
  it('moves every sealed value to a new data key, resumably; every row stays readable', async () => {
    const { campaign, emails, actor } = await world()
    const before = await getDb().selectFrom('signatures').select('email').executeTakeFirstOrThrow()
    expect(await retireDataKeys()).toBe(1) // the organisation's (no email of this world is the platform's)
    const moved = await reencryptRows({ batchSize: 2 })
    expect(moved).toMatchObject({ signatures: 3, email_suppressions: 1 })
    expect(moved.email_messages).toBeGreaterThan(0)
    const after = await getDb().selectFrom('signatures').select('email').executeTakeFirstOrThrow()
    expect(sealedKeyId(after.email)).not.toBe(sealedKeyId(before.email))

    const current = await getDb().selectFrom('data_keys').select('id').where('purpose', '=', 'data').where('retired_at', 'is', null).execute()
    const rows = await getDb().selectFrom('signatures').select(['full_name', 'email', 'postcode']).execute()
    expect(rows.flatMap((r) => [r.full_name, r.email, r.postcode!]).every((v) => current.some((k) => k.id === sealedKeyId(v)))).toBe(true)
    // Run again (--continue): nothing left to move.
    expect(await reencryptRows()).toEqual({ signatures: 0, donations: 0, email_messages: 0, email_suppressions: 0, stripe_events: 0 })

    forgetAllKeys()
    await everythingReadable(campaign.id, actor.organisation.id, emails)
  })
})
