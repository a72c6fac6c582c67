import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { loadEnvironment } from './environment'

// One of WEB_CONCURRENCY web processes forked by server/cluster.ts: the primary has built,
// migrated and seeded; this serves the build on the shared port.
loadEnvironment()
process.env.NODE_ENV = 'production'
const { boot } = await import('./boot')
const build = (await import(pathToFileURL(path.resolve(process.env.CHORUS_BUILD_DIR ?? 'build', 'server/index.js')).href)) as ServerBuild
await boot({ mode: 'production', web: true, build: async () => build, prepare: false, jobs: process.env.CHORUS_WEB_PROCESS_JOBS === 'on' })
