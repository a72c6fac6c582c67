import { Kysely, Migrator, PostgresDialect } from 'kysely'
import pg from 'pg'
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker'
import { migrations } from '../../db/migrations/index'

// Migrations print nothing: the caller logs what was applied.
const quietWorkerLogger = new Logger(() => () => {})

/** Brings a database to the latest schema: ours (Kysely migrations) and graphile-worker's. */
export async function migrateToLatest(connectionString: string) {
  const pool = new pg.Pool({ connectionString, max: 2 })
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) })
  try {
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
    })
    const { error, results } = await migrator.migrateToLatest()
    const failed = results?.find((r) => r.status === 'Error')
    if (error || failed) {
      throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String(error)}`)
    }
    await runWorkerMigrations({ connectionString, logger: quietWorkerLogger })
    return results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? []
  } finally {
    await db.destroy()
  }
}
