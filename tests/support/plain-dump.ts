import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { expect } from 'vitest'
import { getDb } from '~/utils/db.server'

/**
 * A plain-format dump of the whole database: `pg_dump` when the machine's client can read this
 * server (CI's second pass, on the PostgreSQL service), else the same rows as text, table by
 * table, as `pg_dump`'s COPY sections hold them (the embedded server is newer than Debian's
 * pg_dump, which refuses it).
 */
export async function plainDump(): Promise<string> {
  const pgDump = process.env.PG_DUMP ?? 'pg_dump'
  const server = await sql<{ v: string }>`select current_setting('server_version_num') as v`.execute(getDb())
  const serverMajor = Math.floor(Number(server.rows[0]!.v) / 10000)
  const client = await promisify(execFile)(pgDump, ['--version']).catch(() => ({ stdout: '' }))
  const clientMajor = Number(/(\d+)\.\d+/.exec(client.stdout)?.[1] ?? 0)
  if (clientMajor >= serverMajor) {
    const { stdout } = await promisify(execFile)(pgDump, ['--format=plain', '--no-owner', process.env.DATABASE_URL!], {
      maxBuffer: 256 * 1024 * 1024,
    })
    return stdout
  }
  const tables = await sql<{ schemaname: string; tablename: string }>`
    select schemaname, tablename from pg_tables where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2`.execute(getDb())
  expect(tables.rows.map((t) => t.tablename)).toContain('signatures')
  const parts: string[] = []
  for (const { schemaname, tablename } of tables.rows) {
    const rows = await sql<{ line: string }>`select t::text as line from ${sql.table(`${schemaname}.${tablename}`)} t`.execute(getDb())
    parts.push(`COPY ${schemaname}.${tablename} FROM stdin;`, ...rows.rows.map((r) => r.line))
  }
  return parts.join('\n')
}
