import pg from 'pg'

/** The maintenance-database URL of a server, from any database URL on it. */
export function serverUrlOf(url: string): string {
  const u = new URL(url)
  u.pathname = '/postgres'
  return u.toString()
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${encodeURIComponent(database)}`
  return u.toString()
}

export async function adminQuery(serverUrl: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await client.query(text, values)
  } finally {
    await client.end()
  }
}

export async function recreateDatabase(serverUrl: string, name: string, template?: string) {
  const ident = `"${name.replaceAll('"', '""')}"`
  await adminQuery(serverUrl, `drop database if exists ${ident} with (force)`)
  await adminQuery(serverUrl, `create database ${ident}${template ? ` template "${template}"` : ''}`)
}

/** Where the browser-test server keeps its data: one folder per E2E_PORT. */
export function e2eDataDir(): string {
  const port = process.env.E2E_PORT ?? '3210'
  return port === '3210' ? '.data/e2e' : `.data/e2e-${port}`
}
