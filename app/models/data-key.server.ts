import { sql } from 'kysely'
import { canonicalEmail } from '~/models/email-address'
import { blindIndexWith, masterKeyId, masterKeys, newDataKey, openWith, sealedKeyId, sealWith, unwrapDataKey, wrapDataKey } from '~/utils/data-crypto.server'
import { getDb, type DB, type Executor } from '~/utils/db.server'

// The key hierarchy (decision 0040): a master key from the environment wraps one data key per
// organisation (plus a platform key for what belongs to none) and one blind-index key. Data keys
// are unwrapped once per process and kept in memory, so the hot path never unwraps or derives.

export type KeyPurpose = 'data' | 'index'

const unwrapped = new Map<number, Buffer>()
/** organisation id ('' for the platform) → its current data key id, re-read after a while (keys:reencrypt adds keys). */
const current = new Map<string, { id: number; at: number }>()
const CURRENT_KEY_TTL_MS = 60_000
let indexKey: Buffer | null = null

interface KeyRow {
  id: number
  purpose: string
  wrapped_key: Buffer
  master_id: string
}

/** Opens a wrapped key with whichever master key wrapped it (during a rotation, either). */
export function unwrapKeyRow(row: KeyRow): Buffer {
  const master = masterKeys().find((key) => masterKeyId(key) === row.master_id)
  if (!master) throw new Error(`data key ${row.id} is wrapped by master key ${row.master_id}, which this process was not given`)
  return unwrapDataKey(master, row.wrapped_key, row.purpose)
}

async function loadKey(executor: Executor, id: number): Promise<Buffer> {
  const cached = unwrapped.get(id)
  if (cached) return cached
  const row = await executor.selectFrom('data_keys').select(['id', 'purpose', 'wrapped_key', 'master_id']).where('id', '=', id).executeTakeFirst()
  if (!row) throw new Error(`data key ${id} does not exist`)
  const key = unwrapKeyRow(row)
  unwrapped.set(id, key)
  return key
}

/**
 * The current key of a purpose and owner, created on first use. Created on its own connection
 * (committed at once), never in the caller's transaction: a rolled-back key would leave values
 * sealed under a key nobody else can find.
 */
async function currentKey(purpose: KeyPurpose, organisationId: string | null, given?: DB): Promise<{ id: number; key: Buffer }> {
  const owner = `${purpose}:${organisationId ?? ''}`
  const known = current.get(owner)
  // The database is looked up only when it is needed: this runs for every value sealed.
  if (known && Date.now() - known.at < CURRENT_KEY_TTL_MS) return { id: known.id, key: unwrapped.get(known.id) ?? (await loadKey(given ?? getDb(), known.id)) }
  const db = given ?? getDb()
  const find = () =>
    db
      .selectFrom('data_keys')
      .select(['id', 'purpose', 'wrapped_key', 'master_id'])
      .where('purpose', '=', purpose)
      .where(sql<boolean>`coalesce(organisation_id, 0) = ${organisationId ?? 0}`)
      .where('retired_at', 'is', null)
      .executeTakeFirst()
  let row = await find()
  if (!row) {
    const [master] = masterKeys()
    await sql`insert into data_keys (purpose, organisation_id, wrapped_key, master_id)
      values (${purpose}, ${organisationId}, ${wrapDataKey(master!, newDataKey(), purpose)}, ${masterKeyId(master!)})
      on conflict (purpose, coalesce(organisation_id, 0)) where retired_at is null do nothing`.execute(db)
    row = await find()
    if (!row) throw new Error('data key could not be created')
  }
  if (!unwrapped.has(row.id)) unwrapped.set(row.id, unwrapKeyRow(row))
  current.set(owner, { id: row.id, at: Date.now() })
  return { id: row.id, key: unwrapped.get(row.id)! }
}

/** For tests and keys:reencrypt: forget which key is current, so the next seal reads it again. */
export function forgetCurrentKeys() {
  current.clear()
  indexKey = null
}

/** For tests: forget every unwrapped key too, as a fresh process would. */
export function forgetAllKeys() {
  forgetCurrentKeys()
  unwrapped.clear()
}

/** A sealer for one organisation (null: the platform's own key), for sealing many values without a lookup each. */
export async function sealerFor(organisationId: string | null, db?: DB): Promise<(value: string) => string> {
  const { id, key } = await currentKey('data', organisationId, db)
  return (value) => (value === '' ? '' : sealWith(id, key, value))
}

/** Seals one value for an organisation; '' stays '' (an erased or absent value). */
export async function seal(organisationId: string | null, value: string): Promise<string> {
  return (await sealerFor(organisationId))(value)
}

export async function sealNullable(organisationId: string | null, value: string | null): Promise<string | null> {
  return value === null ? null : await seal(organisationId, value)
}

/** The organisation a campaign belongs to (whose key seals what the campaign holds). */
export async function organisationOfCampaign(executor: Executor, campaignId: string | null): Promise<string | null> {
  if (!campaignId) return null
  const row = await executor.selectFrom('campaigns').select('organisation_id').where('id', '=', campaignId).executeTakeFirst()
  return row?.organisation_id ?? null
}

/** Opens a stored value. A value that is not sealed (an erased '' or a row from before encryption) is returned as it is. */
export async function open(value: string, executor: Executor = getDb()): Promise<string> {
  const id = sealedKeyId(value)
  if (id === null) return value
  return openWith(await loadKey(executor, id), value)
}

export async function openNullable(value: string | null, executor: Executor = getDb()): Promise<string | null> {
  return value === null ? null : await open(value, executor)
}

/**
 * Makes sure every key these values name is unwrapped, then returns a synchronous opener: for
 * streams (delivery packs) that open thousands of rows between two awaits.
 */
export async function openerFor(values: Iterable<string | null>, executor: Executor = getDb()): Promise<(value: string) => string> {
  for (const value of values) {
    const id = value ? sealedKeyId(value) : null
    if (id !== null && !unwrapped.has(id)) await loadKey(executor, id)
  }
  return (value) => {
    const id = sealedKeyId(value)
    if (id === null) return value
    const key = unwrapped.get(id)
    if (!key) throw new Error(`data key ${id} was not loaded`)
    return openWith(key, value)
  }
}

async function getIndexKey(db?: DB): Promise<Buffer> {
  if (!indexKey) indexKey = (await currentKey('index', null, db)).key
  return indexKey
}

/**
 * The blind index of an email address: a keyed hash of its canonical form, so "one inbox signs
 * once", suppressions and look-ups by address all work on equal hashes. One key for the whole
 * platform (a person is looked up across organisations on /my-data), random and stored wrapped,
 * so rotating the master key leaves every index as it is.
 */
export async function emailIndex(email: string, db?: DB): Promise<string> {
  return blindIndexWith(await getIndexKey(db), canonicalEmail(email))
}

/** The blind index of an address exactly as mail is sent to it (lower-cased): finds the emails sent to it. */
export async function recipientIndex(email: string, db?: DB): Promise<string> {
  return blindIndexWith(await getIndexKey(db), `to:${email.trim().toLowerCase()}`)
}
