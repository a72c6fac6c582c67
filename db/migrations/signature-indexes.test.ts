import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { getDb } from '~/utils/db.server'

// Decision 0049: each index on signatures and email_messages costs every signature written, so
// the set is pinned: a new one is added on purpose (with the query it serves), never by drift.

async function indexesOf(table: string) {
  const { rows } = await sql<{ indexname: string }>`select indexname from pg_indexes where schemaname = 'public' and tablename = ${table} order by 1`.execute(
    getDb(),
  )
  return rows.map((r) => r.indexname)
}

/**
 * The plan PostgreSQL picks when it may not read the whole table: the indexes a query can use.
 * `without` names indexes set aside for the look (dropped inside a transaction that is rolled
 * back), so the question is whether the ones left can serve the query, not which of several
 * equally good ones this PostgreSQL's planner prefers on an empty table (15 and 18 differ).
 */
async function planWithoutSeqScan(query: string, without: string[] = []) {
  let plan = ''
  const rolledBack = new Error('rolled back')
  await getDb()
    .transaction()
    .execute(async (tx) => {
      for (const index of without) await sql`drop index ${sql.id(index)}`.execute(tx)
      await sql`set local enable_seqscan = off`.execute(tx)
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(query)}`.execute(tx)
      plan = rows.map((r) => r['QUERY PLAN']).join('\n')
      throw rolledBack
    })
    .catch((error: unknown) => {
      if (error !== rolledBack) throw error
    })
  return plan
}

describe('20261204100000_signature_indexes', () => {
  it('leaves signatures exactly the indexes its queries use', async () => {
    expect(await indexesOf('signatures')).toEqual([
      'signatures_address_recent_idx',
      'signatures_campaign_email_index_key',
      'signatures_campaign_id_idx',
      'signatures_confirmed_order_idx',
      'signatures_created_idx',
      'signatures_domain_recent_idx',
      'signatures_held_idx',
      'signatures_invalidated_idx',
      'signatures_pending_idx',
      'signatures_pkey',
      'signatures_recent_public_idx',
      'signatures_retention_idx',
      'signatures_token_hash_idx',
      'signatures_uncounted_idx',
      'signatures_update_audience_idx',
    ])
  })

  it('drops the index on the sealed recipient of email_messages', async () => {
    const indexes = await indexesOf('email_messages')
    expect(indexes).not.toContain('email_messages_recipient_idx')
    expect(indexes).toContain('email_messages_recipient_index_idx')
  })

  it('serves both nightly jobs from the one retention index', async () => {
    // The address-hash expiry (signature.server.ts) and the unconfirmed-signature erasure
    // (retention.server.ts): each one's condition implies the index's predicate. (PostgreSQL 18
    // may also skip-scan the address index for the first; set aside, the retention index serves.)
    expect(
      await planWithoutSeqScan(
        `select id from signatures where ip_hash is not null and created_at < now() - make_interval(days => 30)
        order by created_at limit 5000`,
        ['signatures_address_recent_idx'],
      ),
    ).toContain('signatures_retention_idx')
    expect(
      await planWithoutSeqScan(`select s.id from signatures s
        where (s.state in ('pending', 'held') and s.confirmed_at is null)
          and s.created_at < now() - make_interval(days => 30) and s.contact_erased_at is null
        order by s.created_at, s.id limit 1000`),
    ).toContain('signatures_retention_idx')
  })

  it('counts and pages each state, and the newest confirmations, without the dropped indexes', async () => {
    // Every other index set aside (but those behind constraints): on an empty table, with whatever
    // statistics earlier tests left, (campaign_id, id) and the rest can cost the planner the same.
    const indexes = await indexesOf('signatures')
    const allBut = (kept: string) => indexes.filter((index) => index !== kept && !index.endsWith('_pkey') && !index.endsWith('_key'))
    for (const state of ['pending', 'held', 'invalidated']) {
      expect(
        await planWithoutSeqScan(`select count(*) from signatures where campaign_id = 1 and state = '${state}'`, allBut(`signatures_${state}_idx`)),
      ).toContain(`signatures_${state}_idx`)
    }
    expect(
      await planWithoutSeqScan(
        `select country, confirmed_at from signatures where campaign_id = 1 and state = 'confirmed'
        and confirmed_at is not null order by confirmed_at desc limit 8`,
        allBut('signatures_confirmed_order_idx'),
      ),
    ).toContain('Index Scan Backward using signatures_confirmed_order_idx')
  })
})
