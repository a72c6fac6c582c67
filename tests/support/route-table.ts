import fs from 'node:fs'
import path from 'node:path'
import type { ServerBuild } from '@remix-run/node'

// The routes of app/routes, read from the file names as Remix's flat-routes convention does, for
// tests that must cover every route (NUL bytes, log redaction, the fuzz test): a new route file
// is covered the day it is added.

export const ROUTES_DIR = path.resolve(__dirname, '../../app/routes')

export interface RouteFile {
  /** The file name without its extension, e.g. `campaigns.$slug_.donate`. */
  id: string
  file: string
  /** The URL pattern, e.g. `/campaigns/:slug/donate` (`*` for a splat). */
  pattern: string
  /** The parameter names in the pattern, in order (`*` for a splat). */
  params: string[]
  /** A layout of other routes (admin.tsx): it renders around them and has no URL of its own. */
  layout: boolean
  index: boolean
  source: string
}

/** Splits `a.b[.]c` on the dots that are not escaped in brackets. */
function segmentsOf(id: string): string[] {
  const out: string[] = []
  let current = ''
  let inBrackets = false
  for (const char of id) {
    if (char === '[') inBrackets = true
    else if (char === ']') inBrackets = false
    else if (char === '.' && !inBrackets) {
      out.push(current)
      current = ''
    } else current += char
  }
  out.push(current)
  return out
}

export function listRouteFiles(): RouteFile[] {
  const files = fs.readdirSync(ROUTES_DIR).filter((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name))
  const ids = files.map((file) => file.replace(/\.tsx?$/, ''))
  return files.map((file, i) => {
    const id = ids[i]!
    const segments = segmentsOf(id)
    const parts: string[] = []
    const params: string[] = []
    let index = false
    for (const segment of segments) {
      if (segment === '_index') {
        index = true
        continue
      }
      if (segment.startsWith('_')) continue // pathless layout
      const plain = segment.endsWith('_') ? segment.slice(0, -1) : segment
      if (plain === '$') {
        parts.push('*')
        params.push('*')
      } else if (plain.startsWith('$')) {
        parts.push(`:${plain.slice(1)}`)
        params.push(plain.slice(1))
      } else parts.push(plain)
    }
    const layout = !index && ids.some((other) => other !== id && other.startsWith(`${id}.`))
    return {
      id,
      file: path.join(ROUTES_DIR, file),
      pattern: `/${parts.join('/')}`,
      params,
      layout,
      index,
      source: fs.readFileSync(path.join(ROUTES_DIR, file), 'utf8'),
    }
  })
}

/** A concrete path for a route: each parameter from `values` (by name), else `fallback`. */
export function pathFor(route: RouteFile, values: Record<string, string>, fallback = '1'): string {
  return route.pattern.replace(/:(\w+)|\*/g, (match, name: string | undefined) => encodeURIComponent(values[name ?? '*'] ?? fallback))
}

/** Path patterns that carry a secret (a token in the URL): what request logs must never show. */
export function tokenBearingRoutes(routes = listRouteFiles()): RouteFile[] {
  return routes.filter((route) => route.params.includes('token'))
}

/**
 * A Remix build of the real route modules, each a child of a bare root, whose document "render"
 * answers only the status Remix decided (tests of loaders and actions through the real server,
 * without a Vite build). Layout routes are left out: their children guard themselves.
 */
export async function routeModulesBuild(routes = listRouteFiles()): Promise<ServerBuild> {
  const serverRoutes: ServerBuild['routes'] = { root: { id: 'root', path: '', module: {} as never } }
  for (const route of routes) {
    if (route.layout) continue
    const module = (await import(/* @vite-ignore */ route.file)) as Record<string, unknown>
    serverRoutes[route.id] = {
      id: route.id,
      parentId: 'root',
      path: route.pattern.slice(1),
      index: route.index || undefined,
      module: module as never,
    } as never
  }
  return {
    mode: 'production',
    entry: {
      module: {
        // The action's answer as the body, so a test can say why a form was refused.
        default: (_request: Request, status: number, headers: Headers, context: { staticHandlerContext?: { actionData?: unknown } }) =>
          new Response(JSON.stringify(context.staticHandlerContext?.actionData ?? null), { status, headers }),
        handleError: () => {},
      } as never,
    },
    routes: serverRoutes,
    assets: { routes: {}, version: 'test', entry: { module: '', imports: [] }, url: '' } as never,
    assetsBuildDirectory: 'build/client',
    publicPath: '/assets/',
    future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_singleFetch: true, v3_lazyRouteDiscovery: true } as never,
    isSpaMode: false,
    basename: undefined,
  } as ServerBuild
}
