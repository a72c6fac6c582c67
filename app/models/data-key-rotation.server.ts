import { sql } from 'kysely'
import { forgetCurrentKeys, openerFor, sealerFor, unwrapKeyRow } from '~/models/data-key.server'
import { masterKeyId, masterKeys, sealedKeyId, wrapDataKey } from '~/utils/data-crypto.server'
import { getDb } from '~/utils/db.server'

// Rotations (decision 0040). keys:rotate re-wraps every key under a new master key: the data is
// not touched. keys:reencrypt gives each organisation a new data key and moves every sealed value
// to it, in batches; run again, it carries on with whatever is not yet on the current key.

/**
 * Re-wraps every data and index key under the current master key (DATA_ENCRYPTION_KEY), opening
 * each with whichever of the current and previous (DATA_ENCRYPTION_KEY_PREVIOUS) wrapped it.
 * Idempotent: keys already under the current master are left alone.
 */
export async function rewrapDataKeys(): Promise<{ rewrapped: number; alreadyCurrent: number }> {
  const [master] = masterKeys()
  const currentId = masterKeyId(master!)
  const rows = await getDb().selectFrom('data_keys').select(['id', 'purpose', 'wrapped_key', 'master_id']).orderBy('id').execute()
  let rewrapped = 0
  for (const row of rows) {
    if (row.master_id === currentId) continue
    const key = unwrapKeyRow(row)
    // Compare-and-set on the old wrapping: two runs at once re-wrap each key once.
    const result = await getDb()
      .updateTable('data_keys')
      .set({ wrapped_key: wrapDataKey(master!, key, row.purpose), master_id: currentId })
      .where('id', '=', row.id)
      .where('master_id', '=', row.master_id)
      .executeTakeFirst()
    rewrapped += Number(result.numUpdatedRows)
  }
  return { rewrapped, alreadyCurrent: rows.length - rewrapped }
}

/** Retires every organisation's (and the platform's) current data key: the next seal creates a new one. */
export async function retireDataKeys(): Promise<number> {
  const result = await getDb()
    .updateTable('data_keys')
    .set({ retired_at: sql`now()` })
    .where('purpose', '=', 'data')
    .where('retired_at', 'is', null)
    .executeTakeFirst()
  forgetCurrentKeys()
  return Number(result.numUpdatedRows)
}

type Column = { name: string; nullable: boolean }
interface SealedTable {
  table: 'signatures' | 'donations' | 'email_messages'
  columns: Column[]
  /** The select of one batch: id, the owner organisation and the sealed columns. */
  batch: (after: string, size: number) => ReturnType<typeof sql<Record<string, string | null>>>
}

const TABLES: SealedTable[] = [
  {
    table: 'signatures',
    columns: [
      { name: 'full_name', nullable: false },
      { name: 'email', nullable: false },
      { name: 'postcode', nullable: true },
    ],
    batch: (after, size) => sql`select s.id::text as id, c.organisation_id::text as owner, s.full_name, s.email, s.postcode
      from signatures s join campaigns c on c.id = s.campaign_id where s.id > ${after}::bigint order by s.id limit ${size}`,
  },
  {
    table: 'donations',
    columns: [
      { name: 'donor_name', nullable: false },
      { name: 'donor_email', nullable: false },
    ],
    batch: (after, size) => sql`select d.id::text as id, c.organisation_id::text as owner, d.donor_name, d.donor_email
      from donations d join campaigns c on c.id = d.campaign_id where d.id > ${after}::bigint order by d.id limit ${size}`,
  },
  {
    table: 'email_messages',
    columns: [
      { name: 'recipient', nullable: false },
      { name: 'html', nullable: true },
      { name: 'text', nullable: true },
    ],
    batch: (after, size) => sql`select m.id::text as id, c.organisation_id::text as owner, m.recipient, m.html, m.text
      from email_messages m left join campaigns c on c.id = m.campaign_id where m.id > ${after}::bigint order by m.id limit ${size}`,
  },
]

/**
 * Moves every sealed value that is not on its owner's current data key to it, `batchSize` rows a
 * transaction. Resumable: it only ever looks at what is not yet moved. Returns the rows changed.
 */
export async function reencryptRows({ batchSize = 1000, onBatch }: { batchSize?: number; onBatch?: (table: string, moved: number) => void } = {}) {
  const moved: Record<string, number> = {}
  const currentIds = new Map<string, number>()
  const sealers = new Map<string, (value: string) => string>()
  const sealerOf = async (owner: string | null) => {
    const name = owner ?? ''
    if (!sealers.has(name)) {
      const seal = await sealerFor(owner)
      sealers.set(name, seal)
      currentIds.set(name, sealedKeyId(seal('x'))!)
    }
    return { seal: sealers.get(name)!, currentId: currentIds.get(name)! }
  }
  for (const spec of TABLES) {
    moved[spec.table] = 0
    for (let after = '0'; ;) {
      const { rows } = await spec.batch(after, batchSize).execute(getDb())
      if (rows.length === 0) break
      after = rows.at(-1)!.id!
      const values = rows.flatMap((row) => spec.columns.map((c) => row[c.name] ?? null))
      const open = await openerFor(values)
      const changes: { id: string; set: Record<string, string | null> }[] = []
      for (const row of rows) {
        const { seal, currentId } = await sealerOf(row.owner ?? null)
        const stale = spec.columns.filter((c) => {
          const value = row[c.name]
          // '' is erased or not yet written; 'redacted' marks a removed signer's email.
          return Boolean(value) && value !== 'redacted' && sealedKeyId(value!) !== currentId
        })
        if (stale.length === 0) continue
        changes.push({ id: row.id!, set: Object.fromEntries(stale.map((c) => [c.name, seal(open(row[c.name]!))])) })
      }
      if (changes.length > 0) {
        await getDb()
          .transaction()
          .execute(async (tx) => {
            for (const change of changes) {
              await tx
                .updateTable(spec.table as 'signatures')
                .set(change.set)
                .where('id', '=', change.id)
                .execute()
            }
          })
      }
      moved[spec.table] = (moved[spec.table] ?? 0) + changes.length
      onBatch?.(spec.table, changes.length)
    }
  }
  moved.email_suppressions = await reencryptSuppressions(sealerOf)
  moved.stripe_events = await reencryptStripeEvents(sealerOf)
  return moved
}

async function reencryptSuppressions(sealerOf: (owner: string | null) => Promise<{ seal: (v: string) => string; currentId: number }>) {
  const rows = await getDb().selectFrom('email_suppressions').select(['organisation_id', 'email_index', 'email']).where('email', '<>', '').execute()
  const open = await openerFor(rows.map((r) => r.email))
  let moved = 0
  for (const row of rows) {
    const { seal, currentId } = await sealerOf(row.organisation_id)
    if (sealedKeyId(row.email) === currentId) continue
    await getDb()
      .updateTable('email_suppressions')
      .set({ email: seal(open(row.email)) })
      .where('organisation_id', '=', row.organisation_id)
      .where('email_index', '=', row.email_index)
      .execute()
    moved += 1
  }
  return moved
}

async function reencryptStripeEvents(sealerOf: (owner: string | null) => Promise<{ seal: (v: string) => string; currentId: number }>) {
  const rows = await getDb().selectFrom('stripe_events').select(['id', 'payload']).where('payload', 'is not', null).execute()
  const { seal, currentId } = await sealerOf(null)
  let moved = 0
  for (const row of rows) {
    const sealed = row.payload && typeof row.payload.sealed === 'string' ? row.payload.sealed : null
    if (sealed && sealedKeyId(sealed) === currentId) continue
    const plain = sealed ? (await openerFor([sealed]))(sealed) : JSON.stringify(row.payload)
    await getDb()
      .updateTable('stripe_events')
      .set({ payload: JSON.stringify({ sealed: seal(plain) }) })
      .where('id', '=', row.id)
      .execute()
    moved += 1
  }
  return moved
}
