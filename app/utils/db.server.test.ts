import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { executeCustomPlanned, getDb } from '~/utils/db.server'

describe('executeCustomPlanned', () => {
  it('plans each run on its own connections, where every other query keeps a prepared plan', async () => {
    // The sign statements run here (decision 0050): a plan kept from when signatures held a few
    // rows read the whole campaign for each new signer.
    const setting = sql<{ mode: string }>`select current_setting('plan_cache_mode') as mode`
    const [custom] = await executeCustomPlanned(setting)
    expect(custom).toEqual({ mode: 'force_custom_plan' })
    const { rows } = await setting.execute(getDb())
    expect(rows).toEqual([{ mode: 'auto' }])
  })

  it('asks for it with every run, so a connection that lost its session settings plans each run too', async () => {
    // As after a reconnect, or a pooler handing over another server connection.
    await executeCustomPlanned(sql`reset plan_cache_mode`)
    expect(await executeCustomPlanned(sql<{ mode: string }>`select current_setting('plan_cache_mode') as mode`)).toEqual([{ mode: 'force_custom_plan' }])
  })

  it('runs a statement with its parameters, prepared, as often as it is asked', async () => {
    const echo = (n: number, text: string) => sql<{ n: number; text: string }>`select ${n}::int as n, ${text}::text as text`
    for (let i = 0; i < 8; i++) expect(await executeCustomPlanned(echo(i, `run ${i}`))).toEqual([{ n: i, text: `run ${i}` }])
  })
})
