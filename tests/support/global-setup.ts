import crypto from 'node:crypto'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgres } from '../../app/utils/embedded-db.server'
import { migrateToLatest } from '../../app/utils/migrate.server'
import { adminQuery, recreateDatabase, serverUrlOf, withDatabase } from './database'

declare module 'vitest' {
  export interface ProvidedContext {
    dbServerUrl: string
    dbTemplate: string
  }
}

/**
 * One migrated template database per run; each test worker copies it (setup-database.ts).
 * With DATABASE_URL the databases live on that server, otherwise on an embedded PostgreSQL.
 */
export default async function setup(project: TestProject) {
  let serverUrl: string
  let stop = async () => {}
  let prefix: string
  if (process.env.DATABASE_URL) {
    serverUrl = serverUrlOf(process.env.DATABASE_URL)
    prefix = `${new URL(process.env.DATABASE_URL).pathname.slice(1) || 'chorus'}_test`
  } else {
    const embedded = await startEmbeddedPostgres({
      dir: path.resolve('.data', `test-pg-${crypto.randomBytes(4).toString('hex')}`),
      persistent: false,
    })
    serverUrl = embedded.serverUrl
    stop = embedded.stop
    prefix = 'chorus_test'
  }
  const template = `${prefix}_template`
  const stale = await adminQuery(serverUrl, `select datname from pg_database where datname like $1`, [`${prefix}_w%`])
  for (const row of stale.rows) await adminQuery(serverUrl, `drop database if exists "${row.datname}" with (force)`)
  await recreateDatabase(serverUrl, template)
  await migrateToLatest(withDatabase(serverUrl, template))
  project.provide('dbServerUrl', serverUrl)
  project.provide('dbTemplate', template)
  return async () => {
    await stop()
  }
}
