import { sql } from 'kysely'
import { afterAll, beforeEach, inject } from 'vitest'
import { forgetRateLimitHits } from '~/models/rate-limit.server'
import { closeDb, getDb } from '~/utils/db.server'
import { resetEnv } from '~/utils/env.server'
import { adminQuery, withDatabase } from './database'

// Each worker process gets its own copy of the migrated template, made once and reused.
const serverUrl = inject('dbServerUrl')
const template = inject('dbTemplate')
const name = `${template.replace(/_template$/, '')}_w${process.env.VITEST_POOL_ID ?? '1'}`
const exists = await adminQuery(serverUrl, 'select 1 from pg_database where datname = $1', [name])
if (!exists.rowCount) {
  // Two workers copying the template at once can collide ("being accessed by other users"): retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(serverUrl, `create database "${name}" template "${template}"`)
      break
    } catch (error) {
      if (attempt >= 20) throw error
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
    }
  }
}
process.env.DATABASE_URL = withDatabase(serverUrl, name)
resetEnv()

// Every table of ours (whatever later migrations add) and graphile-worker's queue; the schema stays.
// Data keys stay too: this process keeps them unwrapped in memory, as the app does (decision 0040).
const { rows: tables } = await sql<{ name: string }>`
  select quote_ident(tablename) as name from pg_tables
  where schemaname = 'public' and tablename not like 'kysely_migration%' and tablename <> 'data_keys'`.execute(getDb())
const truncateAll = sql.raw(
  `truncate ${[...tables.map((t) => t.name), 'graphile_worker._private_jobs', 'graphile_worker._private_job_queues'].join(', ')} restart identity cascade`,
)

beforeEach(async () => {
  resetEnv()
  await truncateAll.execute(getDb())
  // What this process learnt of the rate limits described the rows just emptied.
  forgetRateLimitHits()
})

afterAll(async () => {
  await closeDb()
})
