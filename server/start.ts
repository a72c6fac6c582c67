import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { compressAssets } from './compressed-assets'
import { loadEnvironment } from './environment'

// Serves the production build, building it first when it is missing or older than the sources.
const BUILD_DIR = path.resolve(process.env.CHORUS_BUILD_DIR ?? 'build')
const BUILD_ENTRY = path.join(BUILD_DIR, 'server/index.js')
const SOURCES = ['app', 'emails', 'db', 'vite.config.ts', 'vite-page-scripts.ts', 'tsconfig.json', 'package-lock.json', 'package.json']

function newestMtime(entry: string): number {
  if (!fs.existsSync(entry)) return 0
  const stat = fs.statSync(entry)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)))
  return newest
}

const builtAt = fs.existsSync(BUILD_ENTRY) ? fs.statSync(BUILD_ENTRY).mtimeMs : 0
if (builtAt < Math.max(...SOURCES.map(newestMtime))) {
  console.log(builtAt ? 'The build is older than the sources: rebuilding…' : 'Building the app…')
  const result = spawnSync(process.execPath, [path.resolve('node_modules/@remix-run/dev/dist/cli.js'), 'vite:build'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
  compressAssets(path.join(BUILD_DIR, 'client'))
}

// Configuration is validated with the NODE_ENV the operator gave (unset means a local run, with
// a generated secret and the mailbox); React then renders in production mode either way.
// Everything that may load React (the build, the email templates behind the jobs) is imported
// only after NODE_ENV is set.
const env = loadEnvironment()
process.env.NODE_ENV = 'production'
if (env.WEB_CONCURRENCY > 1) {
  // Several web processes on one machine: this one only prepares and watches them.
  const { runPrimary } = await import('./cluster')
  await runPrimary(env)
} else {
  const { boot } = await import('./boot')
  const build = (await import(pathToFileURL(BUILD_ENTRY).href)) as ServerBuild
  await boot({ mode: 'production', web: true, build: async () => build })
}
