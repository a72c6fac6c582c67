import type { IncomingMessage, ServerResponse } from 'node:http'
import proxyaddr from 'proxy-addr'
import { logger } from '../app/utils/logger.server'
import { redactPath } from './redact-path'

// What every request meets before any route, whether Express routes it or the sign front answers
// it ahead of Express (server/sign-fast-path.ts): the security headers, the request log, the
// client's address as the trusted proxies name it, the origins a form may be posted from, and
// the answer to an error. Written once here, for both.

/** Whether an address (the socket's peer, then each X-Forwarded-For hop) is a trusted proxy: Express's compiled `trust proxy`. */
export type Trust = (address: string, hop: number) => boolean

const LOGGED = Symbol('chorus.logged')
type Logged = IncomingMessage & { [LOGGED]?: true }

/** The headers every response carries, its Content-Security-Policy given. */
export function setSecurityHeaders(res: ServerResponse, csp: string, options: { https: boolean; framable: boolean }) {
  res.setHeader('Content-Security-Policy', csp)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  if (!options.framable) res.setHeader('X-Frame-Options', 'DENY')
  // Never tell another site which page (a confirmation link, say) a visitor came from. Not
  // no-referrer: Chromium then sends `Origin: null` with form posts, which the CSRF check refuses.
  res.setHeader('Referrer-Policy', 'same-origin')
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), interest-cohort=()')
  if (options.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')
}

/**
 * Logs the request once its answer is finished: method, path (no query string, never a token:
 * server/redact-path.ts), status and time. Once per request, however many layers ask.
 */
export function logWhenFinished(req: IncomingMessage, res: ServerResponse, path: string) {
  if ((req as Logged)[LOGGED]) return
  ;(req as Logged)[LOGGED] = true
  const started = process.hrtime.bigint()
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    const level = path.startsWith('/assets/') || path === '/healthz' ? 'debug' : 'info'
    logger[level]({ method: req.method, path: redactPath(path), status: res.statusCode, ms: Math.round(ms) }, 'request')
  })
}

/** A URL whose path or query decodes to a NUL character (`%00`, in any case): refused with 400. */
export function hasEncodedNul(url: string) {
  return /%00/i.test(url) || url.includes('\u0000')
}

/** A declared Content-Length over the cap (or not a number): refused before a byte is read. */
export function declaresTooMuch(req: IncomingMessage, limit: number) {
  const declared = req.headers['content-length']
  return declared !== undefined && !(Number(declared) <= limit)
}

/**
 * The client's address: the right-most X-Forwarded-For hop that is not a trusted proxy, or the
 * socket's peer when that is not one (the left-most hop is whatever the client wrote). As
 * Express's `req.ip`.
 */
export function clientAddress(req: IncomingMessage, trust: Trust): string {
  return proxyaddr(req, trust)
}

/**
 * The origins a form may be posted from: APP_URL's and, behind a trusted proxy only, the one the
 * proxy says it served (X-Forwarded-Proto and -Host, first values, as Express reads them).
 */
export function allowedOrigins(req: IncomingMessage, trust: Trust, appOrigin: string): string[] {
  const forwardedHost = firstValue(req.headers['x-forwarded-host'])
  if (!forwardedHost || !trust(req.socket.remoteAddress ?? '', 0)) return [appOrigin]
  const socketProtocol = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'
  const protocol = firstValue(req.headers['x-forwarded-proto']) || socketProtocol
  try {
    return [appOrigin, new URL(`${protocol}://${forwardedHost}`).origin]
  } catch {
    return [appOrigin]
  }
}

function firstValue(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header
  if (!value) return ''
  const comma = value.indexOf(',')
  return (comma === -1 ? value : value.slice(0, comma)).trim()
}

/**
 * A browser's POST from another site: its Origin is none of ours. A missing Origin (not a
 * browser, or a same-origin GET-ish navigation) passes: the admin forms carry CSRF tokens besides.
 */
export function isCrossSitePost(method: string, origin: string | undefined, allowed: string[]) {
  if (['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) || origin === undefined) return false
  try {
    return origin === 'null' || !allowed.includes(new URL(origin).origin)
  } catch {
    return true
  }
}

const CROSS_SITE_TEXT = 'Cross-site form submissions are refused.'

/** Remix refuses such a post by throwing (a 500): it is answered 403 before it. */
export function refuseCrossSite(res: ServerResponse) {
  answerText(res, 403, CROSS_SITE_TEXT)
}

/** An error no route answered: logged with its (redacted) path, and a plain 500 if nothing was sent. */
export function answerServerError(res: ServerResponse, path: string, error: unknown) {
  logger.error({ err: error, path: redactPath(path) }, 'unhandled request error')
  if (!res.headersSent) answerText(res, 500, 'Something went wrong.')
}

function answerText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' })
  res.end(text)
}
