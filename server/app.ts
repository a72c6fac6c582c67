import crypto from 'node:crypto'
import zlib from 'node:zlib'
import { createRequestHandler } from '@remix-run/express'
import { createRequestHandler as createRemixHandler, type ServerBuild } from '@remix-run/node'
import compression from 'compression'
import express, { type Request, type Response, type NextFunction } from 'express'
import { sql } from 'kysely'
import { getDb } from '../app/utils/db.server'
import type { Env } from '../app/utils/env.server'
import { logger } from '../app/utils/logger.server'
import { precompressedAssets } from './compressed-assets'
import { createPageCache, type PageCache } from './page-cache'

const MAX_BODY_BYTES = 1024 * 1024
// Larger bodies only where a route needs them and bounds them itself.
const LARGE_BODY_PATHS: { path: RegExp; maxBytes: number }[] = [
  // The campaign editor's form carries a hero image (2 MB at most) beside its texts.
  { path: /^\/admin\/campaigns\/\d+\/edit$/, maxBytes: 3 * 1024 * 1024 },
  // A delivery pack's CSV, checked on /verify: hashed as it streams in, never held (its own cap).
  { path: /^\/verify$/, maxBytes: 256 * 1024 * 1024 },
]

/** The largest request body a path accepts, by its declared Content-Length. */
export function maxBodyBytesFor(path: string): number {
  return LARGE_BODY_PATHS.find((entry) => entry.path.test(path))?.maxBytes ?? MAX_BODY_BYTES
}

/**
 * The policy for one response: its inline scripts allowed by a nonce (a fresh one each response)
 * or, for a cached page, by their hashes (decision 0021).
 */
export function contentSecurityPolicy(
  scripts: string | { hashes: string[] },
  options: { dev: boolean; https: boolean; path: string; formActions?: string[] },
) {
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
    `frame-ancestors 'none'`,
    `base-uri 'self'`,
    `object-src 'none'`,
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ')
}

export function redactPath(path: string) {
  return path.replace(/^\/(confirm|unsubscribe)\/[^/]+/, '/$1/:token')
}

export function isCrossSitePost(method: string, origin: string | undefined, host: string | undefined) {
  if (['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) || origin === undefined) return false
  try {
    return origin === 'null' || !host || new URL(origin).host !== host.split(',')[0]!.trim()
  } catch {
    return true
  }
}

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
  if (env.TRUST_PROXY) app.set('trust proxy', true)

  app.use((req: Request, res: Response, next: NextFunction) => {
    const nonce = crypto.randomBytes(16).toString('base64')
    res.locals.cspNonce = nonce
    res.setHeader(
      'Content-Security-Policy',
      contentSecurityPolicy(nonce, { dev: options.mode === 'development', https, path: req.path, formActions }),
    )
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('X-Frame-Options', 'DENY')
    // Never tell another site which page (a confirmation link, say) a visitor came from. Not
    // no-referrer: Chromium then sends `Origin: null` with form posts, which the CSRF check refuses.
    res.setHeader('Referrer-Policy', 'same-origin')
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), interest-cohort=()')
    if (https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')
    next()
  })

  app.use((req, res, next) => {
    const started = process.hrtime.bigint()
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      const level = req.path.startsWith('/assets/') || req.path === '/healthz' ? 'debug' : 'info'
      // Paths only (no query strings), and never a confirmation token.
      logger[level]({ method: req.method, path: redactPath(req.path), status: res.statusCode, ms: Math.round(ms) }, 'request')
    })
    next()
  })

  app.use((req, res, next) => {
    const length = Number(req.headers['content-length'] ?? 0)
    if (length > maxBodyBytesFor(req.path)) {
      res.status(400).type('text/plain').send('The request is too large.')
      return
    }
    next()
  })

  // Remix refuses an action whose Origin does not match the host, but by throwing (a 500):
  // answer such cross-site posts here with a 403 instead.
  app.use((req, res, next) => {
    if (!isCrossSitePost(req.method, req.get('origin'), req.get('x-forwarded-host') ?? req.get('host'))) return next()
    res.status(403).type('text/plain').send('Cross-site form submissions are refused.')
  })

  // Dynamic responses (HTML, JSON, CSV, ...) compressed as Accept-Encoding allows; responses that
  // are already encoded (the page cache, precompressed assets) pass through untouched.
  app.use(
    compression({
      brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
      // A streamed download (a delivery pack's CSV or PDF) is compressed as it streams.
      filter: (req, res) => !req.path.startsWith('/media/') && compression.filter(req, res),
    }),
  )

  let pageCache: PageCache | undefined
  if (options.pageCache ?? (options.mode === 'production' && !options.viteMiddleware)) {
    const render = createRemixHandler(options.build, options.mode)
    pageCache = createPageCache({
      render: (request, context) => render(request, context),
      appUrl: env.APP_URL,
      contentSecurityPolicy: (hashes) =>
        contentSecurityPolicy({ hashes }, { dev: false, https, path: '/campaigns', formActions }),
    })
    app.locals.pageCache = pageCache
    app.get(/^\/(api\/)?campaigns\/[^/]+$/, (req, res, next) => void pageCache!.handle(req, res, next))
  }

  app.get('/healthz', async (_req, res) => {
    try {
      await Promise.race([
        sql`select 1`.execute(getDb()),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000)),
      ])
      res.status(200).set('Cache-Control', 'no-store').json({ status: 'ok', database: 'ok' })
    } catch (error) {
      logger.error({ err: error }, 'health check failed')
      res.status(503).set('Cache-Control', 'no-store').json({ status: 'error', database: 'unreachable' })
    }
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

  app.all(
    '*',
    createRequestHandler({
      build: options.build,
      mode: options.mode,
      getLoadContext: (req, res) => ({ ip: req.ip ?? req.socket.remoteAddress ?? '', cspNonce: res.locals.cspNonce as string }),
    }),
  )

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err: error, path: req.path }, 'unhandled request error')
    if (!res.headersSent) res.status(500).type('text/plain').send('Something went wrong.')
  })
  return app
}
