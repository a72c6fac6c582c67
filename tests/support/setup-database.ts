import { sql } from 'kysely'
import { afterAll, beforeEach, inject } from 'vitest'
import { closeDb, getDb } from '~/utils/db.server'
import { resetEnv } from '~/utils/env.server'
import { adminQuery, APP_TABLES, withDatabase } from './database'

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

beforeEach(async () => {
  resetEnv()
  await sql`truncate ${sql.join(APP_TABLES.map((t) => sql.table(t)))} restart identity cascade`.execute(getDb())
  await sql`truncate graphile_worker._private_jobs, graphile_worker._private_job_queues restart identity cascade`.execute(getDb())
})

afterAll(async () => {
  await closeDb()
})
