import { Kysely, type RawBuilder, type Transaction } from 'kysely'
import { PostgresJSDialect } from 'kysely-postgres-js'
import pg from 'pg'
import postgres from 'postgres'
import type { Database } from '#db/types'

// Kysely runs on Postgres.js (decision 0020); graphile-worker keeps its own `pg` pool.
// bigint identities and counts (int8) and numerics arrive as strings (exact), timestamps as
// Dates, bytea as Buffers, json as parsed values; a `date` is best selected as `day::text`.
export type DB = Kysely<Database>
export type Tx = Transaction<Database>
export type Executor = DB | Tx

interface DbState {
  url: string
  client: postgres.Sql
  db: DB
  pool: pg.Pool | null
  customPlanned: postgres.Sql | null
}

// One client per process, even when the Remix build and the server entry each load this module.
const globalForDb = globalThis as unknown as { __chorusDb?: DbState }

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set: the server entry starts the embedded database first')
  return url
}

function poolMax(): number {
  return Number(process.env.DATABASE_POOL_MAX ?? 10)
}

/** The `pg` pool graphile-worker runs on (created on first use; Kysely does not use it). */
export function getPool(): pg.Pool {
  const state = getState()
  if (!state.pool) {
    const pool = new pg.Pool({ connectionString: state.url, max: poolMax() })
    // A client that loses its connection is replaced by the pool; /healthz reports a lasting outage.
    pool.on('error', () => {})
    pool.on('connect', (client) => client.on('error', () => {}))
    state.pool = pool
  }
  return state.pool
}

export function getDb(): DB {
  return getState().db
}

/**
 * The Postgres.js client behind Kysely, for what Kysely does not do (LISTEN). Queries belong in
 * models, through getDb().
 */
export function getSqlClient(): postgres.Sql {
  return getState().client
}

/** What both Postgres.js clients (queries, and the sign statements') are opened with. */
const CLIENT_OPTIONS = {
  // As `pg` did: an undefined parameter is NULL, and a json parameter that is already a string
  // (the models stringify objects themselves) is sent as it is, not encoded a second time.
  transform: { undefined: null },
  types: {
    json: {
      to: 114,
      from: [114, 3802],
      serialize: (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value)),
      parse: (value: string) => JSON.parse(value),
    },
  },
  onnotice: () => {},
  connection: { application_name: 'chorus' },
} satisfies postgres.Options<Record<string, postgres.PostgresType>>

/** Connections for executeCustomPlanned: few, as one statement at a time is the rule there. */
const CUSTOM_PLANNED_CONNECTIONS = 4
/** Their name in pg_stat_activity and the server's log, apart from the other queries' `chorus`. */
export const CUSTOM_PLANNED_APPLICATION_NAME = 'chorus-sign'

/**
 * Runs one statement prepared, on connections of its own that plan it for each run's parameters
 * and the table as it is now (`plan_cache_mode = force_custom_plan`). Every other query is
 * prepared per connection and, after five runs, planned once for any parameters with the
 * statistics of that moment, a plan then kept until the next ANALYZE. For the sign statements
 * (decision 0050) that moment may be a table of a few rows, on which every index of signatures
 * looks alike: a plan that counts a client address's signatures through (campaign_id, id) then
 * reads the whole campaign for each new signer, slower with every signature in a surge.
 *
 * The setting is sent with each run, in the same write, not as a startup parameter: a pooler
 * such as PgBouncer refuses a connection that asks for parameters it does not know.
 */
export async function executeCustomPlanned<R>(query: RawBuilder<R>): Promise<R[]> {
  const state = getState()
  const compiled = query.compile(state.db)
  state.customPlanned ??= postgres(state.url, {
    ...CLIENT_OPTIONS,
    max: CUSTOM_PLANNED_CONNECTIONS,
    connection: { application_name: CUSTOM_PLANNED_APPLICATION_NAME },
  })
  const connection = await state.customPlanned.reserve()
  try {
    const [, rows] = await Promise.all([
      connection.unsafe('set plan_cache_mode = force_custom_plan'),
      connection.unsafe(compiled.sql, compiled.parameters as postgres.ParameterOrJSON<never>[], { prepare: true }),
    ])
    return rows as unknown as R[]
  } finally {
    connection.release()
  }
}

function getState(): DbState {
  const url = databaseUrl()
  const existing = globalForDb.__chorusDb
  if (existing && existing.url === url) return existing
  const client = postgres(url, { ...CLIENT_OPTIONS, max: poolMax() })
  // kysely-postgres-js sends every query with `unsafe`, unprepared: each then costs a describe
  // round trip. Prepared per connection, a query's second run is one round trip.
  const prepared = {
    reserve: async () => {
      const reserved = await client.reserve()
      return {
        unsafe: (query: string, parameters: unknown[]) => reserved.unsafe(query, parameters as postgres.ParameterOrJSON<never>[], { prepare: true }),
        release: () => reserved.release(),
      }
    },
    end: () => client.end({ timeout: 5 }),
  }
  const db = new Kysely<Database>({
    dialect: new PostgresJSDialect({ postgres: async () => prepared as unknown as postgres.Sql }),
  })
  globalForDb.__chorusDb = { url, client, db, pool: null, customPlanned: null }
  return globalForDb.__chorusDb
}

export async function closeDb() {
  const state = globalForDb.__chorusDb
  globalForDb.__chorusDb = undefined
  if (!state) return
  await state.db.destroy()
  await state.client.end({ timeout: 5 })
  await state.customPlanned?.end({ timeout: 5 })
  await state.pool?.end()
}
