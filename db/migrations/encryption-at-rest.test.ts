import { Kysely, Migrator, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { canonicalEmail } from '~/models/email-address'
import { blindIndexWith, masterKeyId, masterKeys, openWith, sealedKeyId, unwrapDataKey } from '~/utils/data-crypto.server'
import { recreateDatabase, withDatabase } from '../../tests/support/database'
import { migrations } from './index'

// The encryption-at-rest migration seals the rows that were written before it, in place.

const serverUrl = inject('dbServerUrl')
const name = `${inject('dbTemplate').replace(/_template$/, '')}_sealing_w${process.env.VITEST_POOL_ID ?? '1'}`
let db: Kysely<any> | undefined

afterAll(async () => {
  await db?.destroy()
})

describe('20261201520000_encryption_at_rest', () => {
  it('seals every existing name, address, postcode, email and waiting Stripe event, and indexes the addresses', async () => {
    await recreateDatabase(serverUrl, name)
    db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: withDatabase(serverUrl, name), max: 2 }) }) })
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
    expect((await migrator.migrateTo('20261201510000_campaign_share_cards')).error).toBeUndefined()

    const {
      rows: [org],
    } = await sql<{ id: string }>`insert into organisations (slug, name) values ('o', 'Org') returning id`.execute(db)
    const {
      rows: [campaign],
    } = await sql<{ id: string }>`insert into campaigns (organisation_id, slug, title, summary, target_name, demand, signature_goal)
      values (${org!.id}, 'c', 'Title', 'Summary', 'Target', 'Demand', 10) returning id`.execute(db)
    await sql`insert into signatures (campaign_id, full_name, email, canonical_email, country, postcode, consent_version)
      values (${campaign!.id}, 'Olga Legacy', 'Olga.Legacy+x@Gmail.com', 'olgalegacy@gmail.com', 'RU', 'LG1 1AA', 'v')`.execute(db)
    await sql`insert into donations (campaign_id, frequency, amount_minor, currency, donor_name, donor_email)
      values (${campaign!.id}, 'one_off', 500, 'EUR', 'Pavel Legacy', 'pavel.legacy@example.org')`.execute(db)
    await sql`insert into email_messages (idempotency_key, recipient, template, subject, locale, transport, campaign_id, html, text)
      values ('k1', 'olga.legacy+x@gmail.com', 'signature-thanks', 'Thanks', 'en', 'mailbox', ${campaign!.id}, '<p>Dear Olga Legacy</p>', 'Dear Olga Legacy')`.execute(
      db,
    )
    await sql`insert into email_suppressions (organisation_id, canonical_email, reason) values (${org!.id}, 'bounced.legacy@example.org', 'bounce')`.execute(db)
    await sql`insert into email_unsubscribes (organisation_id, canonical_email, source) values (${org!.id}, 'olgalegacy@gmail.com', 'page')`.execute(db)
    await sql`insert into stripe_events (id, type, payload) values ('evt_1', 'charge.refunded', ${JSON.stringify({ billing_details: { name: 'Pavel Legacy' } })}::jsonb)`.execute(
      db,
    )

    expect((await migrator.migrateToLatest()).error).toBeUndefined()

    const { rows: dump } = await sql<{ row: string }>`select concat_ws('|', s::text, d::text, m::text, x::text, u::text, e::text) as row
      from signatures s, donations d, email_messages m, email_suppressions x, email_unsubscribes u, stripe_events e`.execute(db)
    expect(dump[0]!.row).not.toMatch(/olga|pavel|legacy|LG1/i)

    // Open everything with the keys as the app finds them: wrapped by the master key.
    const keys = await sql<{
      id: number
      purpose: string
      organisation_id: string | null
      wrapped_key: Buffer
      master_id: string
    }>`select * from data_keys`.execute(db)
    const [master] = masterKeys()
    expect(keys.rows.every((k) => k.master_id === masterKeyId(master!))).toBe(true)
    const unwrapped = new Map(keys.rows.map((k) => [k.id, unwrapDataKey(master!, k.wrapped_key, k.purpose)]))
    const indexKey = unwrapped.get(keys.rows.find((k) => k.purpose === 'index')!.id)!
    const open = (value: string) => openWith(unwrapped.get(sealedKeyId(value)!)!, value)
    const index = (email: string) => blindIndexWith(indexKey, canonicalEmail(email))
    const orgKey = keys.rows.find((k) => k.purpose === 'data' && k.organisation_id === org!.id)!

    const signature = (await sql<any>`select * from signatures`.execute(db)).rows[0]
    expect(sealedKeyId(signature.full_name)).toBe(orgKey.id)
    expect([open(signature.full_name), open(signature.email), open(signature.postcode)]).toEqual(['Olga Legacy', 'Olga.Legacy+x@Gmail.com', 'LG1 1AA'])
    expect(signature.email_index).toBe(index('olga.legacy@googlemail.com'))
    const donation = (await sql<any>`select * from donations`.execute(db)).rows[0]
    expect([open(donation.donor_name), open(donation.donor_email)]).toEqual(['Pavel Legacy', 'pavel.legacy@example.org'])
    expect(donation.donor_email_index).toBe(index('pavel.legacy@example.org'))
    const message = (await sql<any>`select * from email_messages`.execute(db)).rows[0]
    expect([open(message.recipient), open(message.html), open(message.text)]).toEqual([
      'olga.legacy+x@gmail.com',
      '<p>Dear Olga Legacy</p>',
      'Dear Olga Legacy',
    ])
    expect(message.recipient_index).toBe(blindIndexWith(indexKey, 'to:olga.legacy+x@gmail.com'))
    const suppression = (await sql<any>`select * from email_suppressions`.execute(db)).rows[0]
    expect(suppression.email_index).toBe(index('bounced.legacy@example.org'))
    expect(open(suppression.email)).toBe('bounced.legacy@example.org')
    expect((await sql<any>`select * from email_unsubscribes`.execute(db)).rows[0].email_index).toBe(signature.email_index)
    const event = (await sql<any>`select payload from stripe_events`.execute(db)).rows[0]
    expect(JSON.parse(open(event.payload.sealed))).toEqual({ billing_details: { name: 'Pavel Legacy' } })
  })
})
