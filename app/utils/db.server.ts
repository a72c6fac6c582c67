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
  planned: PlannedPool | null
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

/** Connections for executePlanned: few, as one statement at a time is the rule there. */
const PLANNED_CONNECTIONS = 4
/** Their name in pg_stat_activity and the server's log, apart from the other queries' `chorus`. */
export const PLANNED_APPLICATION_NAME = 'chorus-sign'
/** How long a connection keeps a generic plan before it plans again with the table as it is then. */
export const GENERIC_PLAN_MAX_AGE_MS = 1000

/** One connection of executePlanned's own, and when it last dropped its plans. */
interface PlannedConnection {
  sql: postgres.Sql
  plannedAt: number
}

/** executePlanned's connections: each used by one statement at a time, the last used first. */
interface PlannedPool {
  idle: PlannedConnection[]
  all: PlannedConnection[]
  waiting: ((connection: PlannedConnection) => void)[]
}

/**
 * What a run sends before its statement, on a connection whose plans were dropped at `plannedAt`.
 * - `custom`: planned for this run's parameters and the table as it is now.
 * - `fresh-generic`: one plan for any parameters, kept by the connection, but made again (the
 *   connection's plans dropped) once it is `GENERIC_PLAN_MAX_AGE_MS` old, with the table as it is
 *   then.
 */
export function planSetting(plan: 'custom' | 'fresh-generic', plannedAt: number, now: number): { sql: string; plannedAt: number } {
  if (plan === 'custom') return { sql: 'set plan_cache_mode = force_custom_plan', plannedAt }
  if (now - plannedAt < GENERIC_PLAN_MAX_AGE_MS) return { sql: 'set plan_cache_mode = force_generic_plan', plannedAt }
  return { sql: 'discard plans; set plan_cache_mode = force_generic_plan', plannedAt: now }
}

async function plannedConnection(state: DbState): Promise<PlannedConnection> {
  const pool = (state.planned ??= { idle: [], all: [], waiting: [] })
  const idle = pool.idle.pop()
  if (idle) return idle
  if (pool.all.length < PLANNED_CONNECTIONS) {
    const connection = {
      sql: postgres(state.url, { ...CLIENT_OPTIONS, max: 1, connection: { application_name: PLANNED_APPLICATION_NAME } }),
      plannedAt: -Infinity,
    }
    pool.all.push(connection)
    return connection
  }
  return await new Promise<PlannedConnection>((resolve) => pool.waiting.push(resolve))
}

function releasePlanned(state: DbState, connection: PlannedConnection) {
  const pool = state.planned!
  const next = pool.waiting.shift()
  if (next) next(connection)
  else pool.idle.push(connection)
}

/**
 * Runs one statement prepared, on connections of its own, planned as `plan` says (planSetting).
 * Every other query is prepared per connection and, after five runs, planned once for any
 * parameters with the statistics and the table's size of that moment, a plan then kept until the
 * next ANALYZE. For the sign statements (decision 0050) that moment may be a table of a few rows,
 * on which every index of signatures looks alike: a plan that counts a client address's
 * signatures through (campaign_id, id) then reads the whole campaign for each new signer, slower
 * with every signature in a surge. Planned for each run (`custom`), or at most a second old
 * (`fresh-generic`), a plan follows the table as it grows.
 *
 * The setting is sent with each run, in the same write, not as a startup parameter: a pooler
 * such as PgBouncer refuses a connection that asks for parameters it does not know.
 */
export async function executePlanned<R>(query: RawBuilder<R>, plan: 'custom' | 'fresh-generic'): Promise<R[]> {
  const state = getState()
  const compiled = query.compile(state.db)
  const connection = await plannedConnection(state)
  try {
    const setting = planSetting(plan, connection.plannedAt, Date.now())
    const [, rows] = await Promise.all([
      connection.sql.unsafe(setting.sql),
      connection.sql.unsafe(compiled.sql, compiled.parameters as postgres.ParameterOrJSON<never>[], { prepare: true }),
    ])
    connection.plannedAt = setting.plannedAt
    return rows as unknown as R[]
  } finally {
    releasePlanned(state, connection)
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
  globalForDb.__chorusDb = { url, client, db, pool: null, planned: null }
  return globalForDb.__chorusDb
}

export async function closeDb() {
  const state = globalForDb.__chorusDb
  globalForDb.__chorusDb = undefined
  if (!state) return
  await state.db.destroy()
  await state.client.end({ timeout: 5 })
  await Promise.all(state.planned?.all.map((connection) => connection.sql.end({ timeout: 5 })) ?? [])
  await state.pool?.end()
}
