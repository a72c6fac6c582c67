import type { IncomingMessage, ServerResponse } from 'node:http'
import zlib from 'node:zlib'
import { createRequestHandler as createRemixHandler, writeReadableStreamToWritable, type AppLoadContext, type ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express, { type Request, type Response, type NextFunction } from 'express'
import { sql } from 'kysely'
import { getDb } from '../app/utils/db.server'
import { randomBytes } from '../app/utils/random.server'
import type { Env } from '../app/utils/env.server'
import { logger } from '../app/utils/logger.server'
import { isDraining } from '../app/utils/process.server'
import { precompressedAssets } from './compressed-assets'
import { createPageCache, type PageCache } from './page-cache'
import { signFront, signHandover } from './sign-fast-path'
import {
  allowedOrigins,
  answerServerError,
  clientAddress,
  declaresTooMuch,
  hasEncodedNul,
  isCrossSitePost,
  logWhenFinished,
  refuseCrossSite,
  setSecurityHeaders,
  type Trust,
} from './front'
import { createCappedRequest } from './web-request'
import { eventLoopHealth, startEventLoopWatchdog } from '../app/utils/event-loop.server'
import { maxBodyBytesFor, refuseTooLarge } from './body-limit'

export { maxBodyBytesFor } from './body-limit'

/**
 * The policy for one response: its inline scripts allowed by a nonce (a fresh one each response)
 * or, for a cached page, by their hashes (decision 0021).
 */
export function contentSecurityPolicy(scripts: string | { hashes: string[] }, options: { dev: boolean; https: boolean; path: string; formActions?: string[] }) {
  // Only the embeddable sign form may be framed, by any site (decision 0038); no other page.
  const framable = isEmbedPath(options.path)
  // The development mailbox shows emails as written, with their inline styles.
  const inlineStyles = options.dev || options.path.startsWith('/dev/mailbox')
  const scriptSources = typeof scripts === 'string' ? [`'nonce-${scripts}'`] : scripts.hashes
  return [
    `default-src 'self'`,
    `script-src 'self'${scriptSources.map((source) => ` ${source}`).join('')}`,
    `style-src 'self'${inlineStyles ? " 'unsafe-inline'" : ''}`,
    `img-src 'self' data:`,
    `font-src 'self'`,
    `connect-src 'self'${options.dev ? ' ws: wss:' : ''}`,
    `form-action 'self'${(options.formActions ?? []).map((source) => ` ${source}`).join('')}`,
    `frame-ancestors ${framable ? '*' : "'none'"}`,
    `base-uri 'self'`,
    `object-src 'none'`,
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ')
}

export const NUL_IN_URL_TEXT = 'The address holds a NUL character.'

/** The campaign embed, the one page other sites may put in an iframe. */
export function isEmbedPath(path: string): boolean {
  return /^\/campaigns\/[^/]+\/embed\/?$/.test(path)
}

export { redactPath } from './redact-path'

export { isCrossSitePost } from './front'

/** The web server's request handler, and the page cache it answers from (if any), for the campaign-change listener. */
export type WebApp = ((req: IncomingMessage, res: ServerResponse) => void) & { pageCache?: PageCache }

export function createApp(options: {
  env: Env
  mode: 'production' | 'development'
  build: ServerBuild | (() => Promise<ServerBuild>)
  viteMiddleware?: express.RequestHandler
  /** Anonymous campaign pages and JSON from a short-lived cache (production only; off in development). */
  pageCache?: boolean
}) {
  const { env } = options
  const https = env.APP_URL.startsWith('https://')
  // The donate form and the monthly-gift page redirect to Stripe after a POST, which Chromium
  // checks against form-action: allow Checkout and the billing portal (or the fake in tests).
  const formActions = env.STRIPE_SECRET_KEY
    ? ['https://checkout.stripe.com', 'https://billing.stripe.com', ...(env.STRIPE_API_BASE_URL ? [new URL(env.STRIPE_API_BASE_URL).origin] : [])]
    : []
  const app = express()
  app.disable('x-powered-by')
  // Only the proxies configured may name the client: Express then takes the right-most
  // X-Forwarded-For address that is not one of them (the left-most is whatever the client wrote).
  app.set('trust proxy', Array.isArray(env.TRUST_PROXY) ? env.TRUST_PROXY.join(',') : env.TRUST_PROXY)

  app.use((req: Request, res: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString('base64')
    res.locals.cspNonce = nonce
    const csp = contentSecurityPolicy(nonce, { dev: options.mode === 'development', https, path: req.path, formActions })
    setSecurityHeaders(res, csp, { https, framable: isEmbedPath(req.path) })
    logWhenFinished(req, res, req.path)
    next()
  })

  // Bodies are capped before anything reads them: a declared length over the path's cap is
  // refused at once, and an undeclared (chunked) one is counted as it streams (remixHandler).
  app.use((req, res, next) => {
    const limit = maxBodyBytesFor(req.path)
    res.locals.bodyLimit = limit
    if (declaresTooMuch(req, limit)) return refuseTooLarge(req, res)
    if ((req.method === 'GET' || req.method === 'HEAD') && req.headers['transfer-encoding'] !== undefined) {
      return refuseTooLarge(req, res)
    }
    next()
  })

  // PostgreSQL refuses text holding NUL (0x00): a path or query string carrying one (`%00`) is
  // answered 400 here, before a route could hand it to a query. Bodies are cleaned where they are
  // read (readForm, readJsonBody), so every text a route sees is NUL-free (decision 0015).
  app.use((req, res, next) => {
    if (!hasEncodedNul(req.originalUrl)) return next()
    res.status(400).set('Cache-Control', 'no-store').type('text/plain').send(NUL_IN_URL_TEXT)
  })

  // Remix refuses an action whose Origin does not match the host, but by throwing (a 500):
  // answer such cross-site posts here with a 403 instead.
  const trust = app.get('trust proxy fn') as Trust
  const appOrigin = new URL(env.APP_URL).origin
  app.use((req, res, next) => {
    if (!isCrossSitePost(req.method, req.get('origin'), allowedOrigins(req, trust, appOrigin))) return next()
    refuseCrossSite(res)
  })

  const loadContext = (req: Request, res: Response): AppLoadContext => ({
    // As the fronts read it (server/front.ts): the address the trusted proxies name.
    ip: clientAddress(req, trust) || req.socket.remoteAddress || '',
    socketIp: req.socket.remoteAddress ?? '',
    cspNonce: res.locals.cspNonce as string,
  })
  // What the campaign's cached pages and the sign front's redirect carry: inline scripts by hash.
  const campaignPolicy = (hashes: string[]) => contentSecurityPolicy({ hashes }, { dev: false, https, path: '/campaigns', formActions })
  const cached = options.pageCache ?? (options.mode === 'production' && !options.viteMiddleware)
  const render = cached ? createRemixHandler(options.build, options.mode) : null

  // Dynamic responses (HTML, JSON, CSV, ...) compressed as Accept-Encoding allows; responses that
  // are already encoded (the page cache, precompressed assets) pass through untouched.
  const compress = compression({
    brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
    // A streamed download (a delivery pack's CSV or PDF) is compressed as it streams.
    filter: (req, res) => !req.path.startsWith('/media/') && compression.filter(req, res),
  })

  // The campaign page's form posted without JavaScript is signed ahead of Express (signFront,
  // below; decision 0020); what it hands on (a refusal, a campaign that is not there) is rendered
  // here from its attempt, compressed as any other page.
  if (render) {
    const send = (req: Request, res: Response, response: globalThis.Response) =>
      new Promise<void>((resolve, reject) => compress(req, res, () => sendRemixResponse(res, response).then(resolve, reject)))
    app.post(/^\/campaigns\/[^/]+$/, signHandover({ handleRequest: render, loadContext, send }))
  }

  // The campaign page and its JSON for anonymous visitors come from the page cache, ahead of
  // Express (below): it holds them compressed (brotli and gzip, made once per entry), with their
  // policy by hashes, so neither the compression middleware nor a nonce has anything to add.
  const pageCache: PageCache | undefined = render
    ? createPageCache({ render: (request, context) => render(request, context), appUrl: env.APP_URL, contentSecurityPolicy: campaignPolicy, https })
    : undefined

  app.use(compress)

  startEventLoopWatchdog()
  app.get('/healthz', async (_req, res) => {
    // A deploy's SIGTERM: the load balancer should stop sending traffic here (decision 0026).
    if (isDraining()) {
      res.status(503).set('Cache-Control', 'no-store').json({ status: 'draining' })
      return
    }
    const loop = eventLoopHealth()
    try {
      await Promise.race([sql`select 1`.execute(getDb()), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000))])
    } catch (error) {
      logger.error({ err: error }, 'health check failed')
      res.status(503).set('Cache-Control', 'no-store').json({ status: 'error', database: 'unreachable', eventLoop: loop })
      return
    }
    // A loop that stalled for more than a second recently answers 503 (a freeze in progress
    // cannot answer at all; this makes the next probe see it).
    res
      .status(loop.blocked ? 503 : 200)
      .set('Cache-Control', 'no-store')
      .json({ status: loop.blocked ? 'error' : 'ok', database: 'ok', eventLoop: loop })
  })

  if (options.viteMiddleware) {
    app.use(options.viteMiddleware)
  } else {
    const buildDir = process.env.CHORUS_BUILD_DIR ?? 'build'
    // Compressed once at build time (scripts/compress-assets.ts), chosen here by Accept-Encoding.
    app.use(precompressedAssets(`${buildDir}/client`))
    app.use('/assets', express.static(`${buildDir}/client/assets`, { immutable: true, maxAge: '1y', index: false }))
    app.use(express.static(`${buildDir}/client`, { maxAge: '1h', index: false }))
  }

  app.all('*', remixHandler(options.build, options.mode, loadContext))

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => answerServerError(res, req.path, error))

  // A plain sign POST (server/sign-fast-path.ts) and an anonymous GET of a campaign page or its
  // JSON (server/page-cache.ts) are answered ahead of Express; every other request is Express's.
  const handOn = (req: IncomingMessage, res: ServerResponse) => void app(req as Request, res as Response)
  const front = render
    ? signFront({
        trust,
        appOrigin,
        https,
        // The redirect has no body: no inline script at all.
        contentSecurityPolicy: campaignPolicy([]),
        handOn,
      })
    : null
  const listener: WebApp = front && pageCache ? (req, res) => front(req, res) || pageCache.front(req, res) || handOn(req, res) : handOn
  listener.pageCache = pageCache
  return listener
}

/**
 * Remix's Express adapter, but the body Remix reads is capped as it streams (413 at the cap,
 * before any parser sees the rest).
 */
function remixHandler(
  build: ServerBuild | (() => Promise<ServerBuild>),
  mode: string,
  getLoadContext: (req: Request, res: Response) => AppLoadContext,
): express.RequestHandler {
  const handleRequest = createRemixHandler(build, mode)
  return async (req, res, next) => {
    try {
      const request = createCappedRequest(req, res)
      const response = await handleRequest(request, getLoadContext(req, res))
      if (res.headersSent) {
        // The 413 went out while the route was reading: its answer has nowhere to go.
        await response.body?.cancel().catch(() => {})
        return
      }
      await sendRemixResponse(res, response, isWorkspacePath(req.path))
    } catch (error) {
      if (res.headersSent) return
      next(error)
    }
  }
}

/**
 * The workspace (`/admin`, its pages, their single-fetch `.data` requests and its resource routes):
 * every answer there is one person's view of their organisation, so none is ever stored by a
 * browser or a proxy. Set here once rather than by each route.
 */
export function isWorkspacePath(path: string): boolean {
  return path === '/admin' || path === '/admin.data' || path.startsWith('/admin/')
}

/** As @remix-run/express sends a Remix response; workspace answers are never stored. */
export async function sendRemixResponse(res: Response, response: globalThis.Response, workspace = false) {
  res.statusMessage = response.statusText
  res.status(response.status)
  for (const [key, value] of response.headers.entries()) {
    if (workspace && key.toLowerCase() === 'cache-control') continue
    res.append(key, value)
  }
  if (workspace) res.setHeader('Cache-Control', 'no-store')
  if (response.headers.get('Content-Type')?.match(/text\/event-stream/i)) res.flushHeaders()
  if (response.body) await writeReadableStreamToWritable(response.body, res)
  else res.end()
}
