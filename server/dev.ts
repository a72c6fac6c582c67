import type { ServerBuild } from '@remix-run/node'
import { createServer } from 'vite'
import { boot } from './boot'
import { loadEnvironment } from './environment'

// The Vite dev server as middleware, with the same database behaviour as `npm start`.
const env = loadEnvironment()
const vite = await createServer({ server: { middlewareMode: true, hmr: { port: env.PORT + 10000 } } })
await boot({
  mode: 'development',
  web: true,
  build: () => vite.ssrLoadModule('virtual:remix/server-build') as Promise<ServerBuild>,
  viteMiddleware: vite.middlewares,
  beforeShutdown: () => vite.close(),
})
