import crypto from 'node:crypto'
import v8 from 'node:v8'
import vm from 'node:vm'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createAdmin } from '../support/admin'
import { createCampaign } from '../support/factories'
import { buildDeliveryPack, packCsvStream, scopeOf } from '~/models/delivery-pack.server'
import { getDb } from '~/utils/db.server'

// A pack of a million named signers streams as CSV in flat memory (decision 0013).

const ROWS = 1_000_000

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

function liveHeap() {
  gc()
  return process.memoryUsage().heapUsed
}

describe('the CSV of a million-signature pack', () => {
  it('streams every row while the heap stays far below the size of the file', { timeout: 600_000 }, async () => {
    const db = getDb()
    const owner = await createAdmin(db)
    const campaign = await createCampaign(db, { organisation_id: owner.organisation.id })
    // Names of 40-odd characters, a few needing quotes or a formula guard, spread over five countries.
    await sql`
      insert into signatures (campaign_id, full_name, email, email_index, country, consent_show_name, consent_version, state,
        created_at, confirmed_at, updated_at)
      select ${campaign.id},
        case when n % 1000 = 0 then '=Formula ' || n when n % 777 = 0 then 'Comma, Person ' || n else 'Signer Number ' || n || ' Of The Long List' end,
        'm' || n || '@example.org', 'm' || n || '@example.org',
        (array['GB','RU','FR','DE','UA'])[1 + n % 5], true, 'test', 'confirmed',
        now() - interval '1 hour', now() - interval '1 hour', now()
      from generate_series(1, ${ROWS}) as n`.execute(db)
    // What autovacuum does after a bulk load; with empty-table statistics the planner would sort every chunk.
    await sql`analyze signatures`.execute(db)

    const pack = await buildDeliveryPack(owner.context, campaign.id, 'en')
    expect(pack.confirmedTotal).toBe(ROWS)
    expect(pack.namedCount).toBe(ROWS)

    const baseline = liveHeap()
    let peak = 0
    let bytes = 0
    let lines = 0
    let reads = 0
    const hash = crypto.createHash('sha256')
    const reader = packCsvStream(scopeOf(pack)).getReader()
    while (true) {
      const { done, value } = await reader.read()
      if (done) break
      bytes += value.byteLength
      hash.update(value)
      for (let i = 0; i < value.length; i++) if (value[i] === 0x0a) lines++
      // The live heap (after a collection) every few chunks: what the stream holds on to.
      if (++reads % 20 === 0) peak = Math.max(peak, liveHeap() - baseline)
    }
    expect(lines).toBe(ROWS + 1) // the header, then one line per signer
    expect(bytes).toBeGreaterThan(35_000_000)
    expect(hash.digest('hex')).toBe(pack.listSha256)
    // The whole file is over 35 MB; a stream that kept it (or its rows) would hold at least that.
    expect(peak).toBeLessThan(bytes / 4)
  })
})
