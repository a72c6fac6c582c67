import { Kysely, PostgresDialect, type Transaction } from 'kysely'
import pg from 'pg'
import type { Database } from '#db/types'

// bigint identities as strings (exact), timestamps as Dates, counts (int8) as strings unless cast.
export type DB = Kysely<Database>
export type Tx = Transaction<Database>
export type Executor = DB | Tx

interface DbState {
  url: string
  pool: pg.Pool
  db: DB
}

// One pool per process, even when the Remix build and the server entry each load this module.
const globalForDb = globalThis as unknown as { __chorusDb?: DbState }

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error('DATABASE_URL is not set: the server entry starts the embedded database first')
  return url
}

export function getPool(): pg.Pool {
  return getState().pool
}

export function getDb(): DB {
  return getState().db
}

function getState(): DbState {
  const url = databaseUrl()
  const existing = globalForDb.__chorusDb
  if (existing && existing.url === url) return existing
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_MAX ?? 10) })
  // A client that loses its connection is replaced by the pool; /healthz reports a lasting outage.
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  globalForDb.__chorusDb = { url, pool, db }
  return globalForDb.__chorusDb
}

export async function closeDb() {
  const state = globalForDb.__chorusDb
  globalForDb.__chorusDb = undefined
  if (state) await state.db.destroy()
}
