import type { ServerBuild } from '@remix-run/node'

type Handler = (args: { request: Request; params: Record<string, string | undefined>; context: unknown }) => Promise<Response> | Response

/**
 * A Remix build of resource routes only (no document rendering), for driving the real Express
 * server of server/app.ts in Vitest: each route is `path -> action` (and a loader answering 200).
 */
export function stubBuild(routes: Record<string, Handler>): ServerBuild {
  const serverRoutes: ServerBuild['routes'] = {
    root: { id: 'root', path: '', module: {} as never },
  }
  Object.entries(routes).forEach(([path, action], index) => {
    serverRoutes[`route-${index}`] = {
      id: `route-${index}`,
      parentId: 'root',
      path,
      module: { action, loader: action } as never,
    }
  })
  return {
    mode: 'production',
    entry: { module: { default: () => new Response('no documents here', { status: 500 }) } as never },
    routes: serverRoutes,
    assets: { routes: {}, version: 'test', entry: { module: '', imports: [] }, url: '' } as never,
    assetsBuildDirectory: 'build/client',
    publicPath: '/assets/',
    future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_singleFetch: true, v3_lazyRouteDiscovery: true } as never,
    isSpaMode: false,
    basename: undefined,
  } as ServerBuild
}
