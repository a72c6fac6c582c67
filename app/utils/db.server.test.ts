import { sql } from 'kysely'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { executePlanned, GENERIC_PLAN_MAX_AGE_MS, getDb, planSetting } from '~/utils/db.server'

afterEach(() => {
  vi.useRealTimers()
})

const currentMode = sql<{ mode: string }>`select current_setting('plan_cache_mode') as mode`

describe('executePlanned', () => {
  it('plans as asked on its own connections, where every other query keeps PostgreSQL’s default', async () => {
    // The sign statements run here (decision 0050): a plan kept from when signatures held a few
    // rows read the whole campaign for each new signer.
    expect(await executePlanned(currentMode, 'custom')).toEqual([{ mode: 'force_custom_plan' }])
    expect(await executePlanned(currentMode, 'fresh-generic')).toEqual([{ mode: 'force_generic_plan' }])
    const { rows } = await currentMode.execute(getDb())
    expect(rows).toEqual([{ mode: 'auto' }])
  })

  it('asks for it with every run, so a connection that lost its session settings plans as asked too', async () => {
    // As after a reconnect, or a pooler handing over another server connection.
    await executePlanned(sql`reset plan_cache_mode`, 'custom')
    expect(await executePlanned(currentMode, 'custom')).toEqual([{ mode: 'force_custom_plan' }])
    await executePlanned(sql`reset plan_cache_mode`, 'fresh-generic')
    expect(await executePlanned(currentMode, 'fresh-generic')).toEqual([{ mode: 'force_generic_plan' }])
  })

  it('runs a statement with its parameters, prepared, as often as it is asked', async () => {
    const echo = (n: number, text: string) => sql<{ n: number; text: string }>`select ${n}::int as n, ${text}::text as text`
    for (let i = 0; i < 8; i++) {
      expect(await executePlanned(echo(i, `run ${i}`), i % 2 ? 'custom' : 'fresh-generic')).toEqual([{ n: i, text: `run ${i}` }])
    }
  })

  it('runs statements at once on up to four connections of its own, and queues the rest', async () => {
    const backend = sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`
    const runs = await Promise.all(Array.from({ length: 10 }, () => executePlanned(backend, 'custom')))
    const pids = new Set(runs.map(([row]) => row!.pid))
    expect(pids.size).toBeGreaterThan(1)
    expect(pids.size).toBeLessThanOrEqual(4)
  })

  it('keeps a generic plan for a second, then plans again with the table as it has grown', async () => {
    // A table planned when it held a few rows, then grown without an ANALYZE (which would drop
    // the plan by itself): as signatures in the first minute of a surge.
    await sql`drop table if exists plan_probe`.execute(getDb())
    await sql`create table plan_probe (id int generated always as identity, k int, pad text) with (autovacuum_enabled = false)`.execute(getDb())
    try {
      await sql`create index plan_probe_k on plan_probe (k)`.execute(getDb())
      await sql`insert into plan_probe (k, pad) select n, 'x' from generate_series(1, 5) n`.execute(getDb())
      await sql`analyze plan_probe`.execute(getDb())
      vi.useFakeTimers({ toFake: ['Date'] })
      const probe = sql<{ n: number }>`select count(*)::int as n from plan_probe where k = ${3}`
      expect(await executePlanned(probe, 'fresh-generic')).toEqual([{ n: 1 }])
      // The same connection (the last used is used first) holds the probe prepared: its plan.
      const [prepared] = await executePlanned(
        sql<{
          name: string
        }>`select name from pg_prepared_statements where statement like '%from plan_probe where k = $1%' and statement not like '%pg_prepared%'`,
        'fresh-generic',
      )
      const plan = async () => {
        const rows = await executePlanned(sql<{ 'QUERY PLAN': string }>`explain execute ${sql.id(prepared!.name)}(3)`, 'fresh-generic')
        return rows.map((row) => row['QUERY PLAN']).join('\n')
      }
      expect(await plan()).toMatch(/Seq Scan on plan_probe/)

      await sql`insert into plan_probe (k, pad) select n, repeat('x', 50) from generate_series(1, 100000) n`.execute(getDb())
      // Within the second: the plan made for five rows.
      expect(await plan()).toMatch(/Seq Scan on plan_probe/)
      // A second later: planned again, for a hundred thousand.
      vi.setSystemTime(Date.now() + GENERIC_PLAN_MAX_AGE_MS)
      expect(await plan()).toMatch(/Index (Only )?Scan using plan_probe_k|Bitmap Index Scan on plan_probe_k/)
      expect(await executePlanned(probe, 'fresh-generic')).toEqual([{ n: 2 }])
    } finally {
      await sql`drop table if exists plan_probe`.execute(getDb())
    }
  })
})

describe('planSetting', () => {
  it('plans each run when asked for custom plans, and otherwise drops a connection’s plans once a second', () => {
    expect(planSetting('custom', 0, 5_000)).toEqual({ sql: 'set plan_cache_mode = force_custom_plan', plannedAt: 0 })
    // A connection that has never dropped its plans: it has none yet, dropping costs nothing.
    expect(planSetting('fresh-generic', -Infinity, 5_000)).toEqual({ sql: 'discard plans; set plan_cache_mode = force_generic_plan', plannedAt: 5_000 })
    expect(planSetting('fresh-generic', 5_000, 5_000 + GENERIC_PLAN_MAX_AGE_MS - 1)).toEqual({
      sql: 'set plan_cache_mode = force_generic_plan',
      plannedAt: 5_000,
    })
    expect(planSetting('fresh-generic', 5_000, 5_000 + GENERIC_PLAN_MAX_AGE_MS)).toEqual({
      sql: 'discard plans; set plan_cache_mode = force_generic_plan',
      plannedAt: 5_000 + GENERIC_PLAN_MAX_AGE_MS,
    })
  })
})
