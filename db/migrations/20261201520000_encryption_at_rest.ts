import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { type Kysely, sql } from 'kysely'

// Frozen in time: never import application code here.
// Decision 0040: supporters' contact details encrypted at rest. Data keys (one per
// organisation, one for the platform) and the blind-index key, each wrapped by the master key;
// addresses looked up through blind indexes; and every existing row sealed in place, in batches.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table data_keys (
    id integer generated always as identity primary key,
    purpose text not null check (purpose in ('data', 'index')),
    organisation_id bigint,
    wrapped_key bytea not null,
    master_id text not null,
    created_at timestamptz not null default now(),
    retired_at timestamptz
  )`.execute(db)
  // No foreign key: a key must outlive nothing that it sealed; deleting one is a deliberate act.
  await sql`create unique index data_keys_current_key on data_keys (purpose, coalesce(organisation_id, 0)) where retired_at is null`.execute(db)

  await sql`alter table signatures rename column canonical_email to email_index`.execute(db)
  await sql`alter table signatures rename constraint signatures_campaign_canonical_email_key to signatures_campaign_email_index_key`.execute(db)
  await sql`alter table email_unsubscribes rename column canonical_email to email_index`.execute(db)
  await sql`alter table email_suppressions rename column canonical_email to email_index`.execute(db)
  // The address itself, sealed, for the workspace's list; '' once its owner had it erased.
  await sql`alter table email_suppressions add column email text not null default ''`.execute(db)
  await sql`alter table email_messages add column recipient_index text`.execute(db)
  await sql`create index email_messages_recipient_index_idx on email_messages (recipient_index) where recipient_index is not null`.execute(db)
  await sql`alter table donations add column donor_email_index text`.execute(db)
  await sql`create index donations_donor_email_index_idx on donations (donor_email_index) where donor_email_index is not null`.execute(db)
  // Substring search over names and addresses cannot work on ciphertext: the trigram index goes.
  await sql`drop index if exists signatures_search_idx`.execute(db)

  await sealExistingRows(db)
}

export async function down(): Promise<void> {
  // Sealed values cannot be turned back into plain text by a schema change.
  throw new Error('20261201520000_encryption_at_rest cannot be reverted: restore a backup instead')
}

// ---- A frozen copy of the format of decision 0040 ----

function masterKey(): Buffer {
  let encoded = process.env.DATA_ENCRYPTION_KEY
  if (!encoded) {
    const file = path.resolve(process.env.DATA_DIR || '.data', 'data-encryption-key')
    try {
      encoded = fs.readFileSync(file, 'utf8').trim()
    } catch {
      if (process.env.NODE_ENV === 'production') throw new Error('DATA_ENCRYPTION_KEY is required to encrypt existing rows')
      encoded = crypto.randomBytes(32).toString('base64')
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, encoded, { mode: 0o600, flag: 'wx' })
    }
  }
  const key = Buffer.from(encoded, 'base64')
  if (key.length !== 32) throw new Error('DATA_ENCRYPTION_KEY must be 32 bytes in base64')
  return key
}

function gcm(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = crypto.randomBytes(12)
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad))
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body])
}

function canonical(email: string): string {
  const trimmed = email.trim().toLowerCase()
  const at = trimmed.lastIndexOf('@')
  if (at < 1) return trimmed
  let local = trimmed.slice(0, at).split('+')[0] ?? ''
  let domain = trimmed.slice(at + 1)
  if (domain === 'gmail.com' || domain === 'googlemail.com') {
    local = local.replaceAll('.', '')
    domain = 'gmail.com'
  }
  return `${local}@${domain}`
}

async function sealExistingRows(db: Kysely<any>) {
  const counts = await sql<{ n: string }>`select
      (select count(*) from signatures) + (select count(*) from donations) + (select count(*) from email_messages)
      + (select count(*) from email_suppressions) + (select count(*) from email_unsubscribes)
      + (select count(*) from stripe_events where payload is not null) as n`.execute(db)
  if (Number(counts.rows[0]!.n) === 0) return
  const master = masterKey()
  const masterId = crypto.createHash('sha256').update('chorus-master-key').update(master).digest('hex').slice(0, 16)
  const keys = new Map<string, { id: number; key: Buffer }>()
  const keyFor = async (purpose: string, organisationId: string | null) => {
    const owner = `${purpose}:${organisationId ?? ''}`
    let found = keys.get(owner)
    if (!found) {
      const key = crypto.randomBytes(32)
      const { rows } = await sql<{ id: number }>`insert into data_keys (purpose, organisation_id, wrapped_key, master_id)
        values (${purpose}, ${organisationId}, ${gcm(master, key, `chorus-data-key:${purpose}`)}, ${masterId}) returning id`.execute(db)
      found = { id: rows[0]!.id, key }
      keys.set(owner, found)
    }
    return found
  }
  const indexKey = (await keyFor('index', null)).key
  const emailIndex = (email: string) => crypto.createHmac('sha256', indexKey).update(canonical(email), 'utf8').digest('base64url')
  const recipientIndex = (email: string) => crypto.createHmac('sha256', indexKey).update(`to:${email.trim().toLowerCase()}`, 'utf8').digest('base64url')
  const sealer = async (organisationId: string | null) => {
    const { id, key } = await keyFor('data', organisationId)
    return (value: string | null) =>
      value === null || value === '' ? value : `v${id}:${gcm(key, Buffer.from(value, 'utf8'), 'chorus-value').toString('base64')}`
  }

  // Signatures: name, address and postcode sealed; the address's blind index replaces its canonical form.
  for (let after = '0'; ;) {
    const { rows } = await sql<{ id: string; organisation_id: string; full_name: string; email: string; postcode: string | null }>`
      select s.id, c.organisation_id, s.full_name, s.email, s.postcode from signatures s join campaigns c on c.id = s.campaign_id
      where s.id > ${after} order by s.id limit 1000`.execute(db)
    if (rows.length === 0) break
    for (const row of rows) {
      const seal = await sealer(row.organisation_id)
      await sql`update signatures set full_name = ${seal(row.full_name)}, email = ${seal(row.email)}, postcode = ${seal(row.postcode)},
        email_index = ${row.email ? emailIndex(row.email) : ''} where id = ${row.id}`.execute(db)
    }
    after = rows.at(-1)!.id
  }
  for (let after = '0'; ;) {
    const { rows } = await sql<{ id: string; organisation_id: string; donor_name: string; donor_email: string }>`
      select d.id, c.organisation_id, d.donor_name, d.donor_email from donations d join campaigns c on c.id = d.campaign_id
      where d.id > ${after} order by d.id limit 1000`.execute(db)
    if (rows.length === 0) break
    for (const row of rows) {
      const seal = await sealer(row.organisation_id)
      await sql`update donations set donor_name = ${seal(row.donor_name)}, donor_email = ${seal(row.donor_email)},
        donor_email_index = ${row.donor_email ? emailIndex(row.donor_email) : null} where id = ${row.id}`.execute(db)
    }
    after = rows.at(-1)!.id
  }
  for (let after = '0'; ;) {
    const { rows } = await sql<{ id: string; organisation_id: string | null; recipient: string; html: string | null; text: string | null }>`
      select m.id, c.organisation_id, m.recipient, m.html, m.text from email_messages m left join campaigns c on c.id = m.campaign_id
      where m.id > ${after} order by m.id limit 1000`.execute(db)
    if (rows.length === 0) break
    for (const row of rows) {
      const seal = await sealer(row.organisation_id)
      const addressed = row.recipient.includes('@')
      await sql`update email_messages set recipient = ${addressed ? seal(row.recipient) : row.recipient}, html = ${seal(row.html)}, text = ${seal(row.text)},
        recipient_index = ${addressed ? recipientIndex(row.recipient) : null} where id = ${row.id}`.execute(db)
    }
    after = rows.at(-1)!.id
  }
  const { rows: suppressions } = await sql<{
    organisation_id: string
    email_index: string
  }>`select organisation_id, email_index from email_suppressions`.execute(db)
  for (const row of suppressions) {
    const seal = await sealer(row.organisation_id)
    await sql`update email_suppressions set email = ${seal(row.email_index)}, email_index = ${emailIndex(row.email_index)}
      where organisation_id = ${row.organisation_id} and email_index = ${row.email_index}`.execute(db)
  }
  const { rows: unsubscribes } = await sql<{ id: string; email_index: string }>`select id, email_index from email_unsubscribes`.execute(db)
  for (const row of unsubscribes) await sql`update email_unsubscribes set email_index = ${emailIndex(row.email_index)} where id = ${row.id}`.execute(db)
  // A payer's details wait in a Stripe event only until its gift is recorded: sealed meanwhile.
  const { rows: events } = await sql<{ id: string; payload: unknown }>`select id, payload from stripe_events where payload is not null`.execute(db)
  const sealPlatform = await sealer(null)
  for (const row of events) {
    await sql`update stripe_events set payload = ${JSON.stringify({ sealed: sealPlatform(JSON.stringify(row.payload)) })}::jsonb where id = ${row.id}`.execute(
      db,
    )
  }
}
