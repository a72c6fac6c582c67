import crypto from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import type { AppLoadContext } from '@remix-run/node'
import vary from 'vary'
import { localeOfCookie, resolveLocale, LOCALE_COOKIE } from '../app/utils/locale.server'
import { acceptsEncoding } from './compressed-assets'
import { answerServerError, hasEncodedNul, logWhenFinished, setSecurityHeaders } from './front'

// The campaign page and its public JSON, rendered once per campaign and language and served to
// every anonymous visitor for a moment (decision 0021). A cached response holds nothing of any
// visitor: it is rendered from a request that carries only the resolved language.

/** What the database notifies (a trigger, migration 20261201200000) when a campaign's public face changes. */
export const CAMPAIGN_CHANGED_CHANNEL = 'chorus_campaign_changed'

/** How long an entry is served before the next request renders it again. */
export const PAGE_CACHE_FRESH_MS = 2000
const MAX_ENTRIES = 2000
const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)

export interface CachedResponse {
  status: number
  headers: [string, string][]
  body: Buffer
  br: Buffer | null
  gzip: Buffer | null
  etag: string
  /** The Content-Security-Policy for this body: its inline scripts by hash, never a nonce. */
  csp: string
}

interface Entry {
  renderedAt: number
  response: CachedResponse
}

type Render = (request: Request, context: AppLoadContext) => Promise<Response>

/** Paths whose anonymous GETs are cached: the slug is the campaign key. */
const CACHED_PATHS = /^\/(?:api\/)?campaigns\/([^/]+)$/

/** Cookies that may accompany a cached request (they select a variant, carry nothing personal). */
const NEUTRAL_COOKIES = new Set([LOCALE_COOKIE])

/**
 * Whether a request may be answered from the cache: a GET or HEAD, no query string, no
 * credentials and no cookie but the language switcher's.
 */
export function isCacheableRequest(req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> }) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  const url = req.url ?? ''
  if (url.includes('?') || !CACHED_PATHS.test(url) || hasEncodedNul(url)) return false
  // A GET that declares a body is Express's to refuse (the body limit), not the cache's to ignore.
  if (req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')) return false
  if (req.headers.authorization) return false
  const cookie = req.headers.cookie
  if (typeof cookie === 'string' && cookie.trim() !== '') {
    for (const part of cookie.split(';')) {
      const name = part.split('=')[0]!.trim()
      if (name && !NEUTRAL_COOKIES.has(name)) return false
    }
  }
  return true
}

/** Every inline script's SHA-256, as CSP sources. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>()
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/i.test(match[1]!)) continue
    hashes.add(`'sha256-${crypto.createHash('sha256').update(match[2]!, 'utf8').digest('base64')}'`)
  }
  return [...hashes]
}

export function createPageCache(options: {
  render: Render
  appUrl: string
  /** The policy for a body whose inline scripts are these hashes (HTML) or that runs none (JSON). */
  contentSecurityPolicy: (scriptHashes: string[]) => string
  /** Whether APP_URL is https (Strict-Transport-Security). */
  https?: boolean
  now?: () => number
}) {
  const now = options.now ?? Date.now
  // Until the cached response's own policy replaces it (and for a 500): no script at all.
  const noScripts = options.contentSecurityPolicy([])
  const https = options.https ?? false
  const entries = new Map<string, Entry>()
  const rendering = new Map<string, Promise<CachedResponse>>()
  let generation = 0

  async function renderEntry(path: string, locale: string): Promise<CachedResponse> {
    const request = new Request(`${options.appUrl}${path}`, {
      headers: { 'Accept-Language': locale, Accept: path.startsWith('/api/') ? 'application/json' : 'text/html' },
    })
    const response = await options.render(request, { ip: '', socketIp: '', cspNonce: '' })
    const body = Buffer.from(await response.arrayBuffer())
    const headers: [string, string][] = []
    response.headers.forEach((value, name) => {
      if (name !== 'set-cookie' && name !== 'content-security-policy' && name !== 'content-length') headers.push([name, value])
    })
    const isHtml = (response.headers.get('content-type') ?? '').startsWith('text/html')
    const compressible = body.length > 512
    const [br, gz] = compressible
      ? await Promise.all([
          brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
          gzip(body, { level: 6 }),
        ])
      : [null, null]
    return {
      status: response.status,
      headers,
      body,
      br,
      gzip: gz,
      etag: `W/"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`,
      csp: options.contentSecurityPolicy(isHtml ? inlineScriptHashes(body.toString('utf8')) : []),
    }
  }

  /** The cached response for a path and language, rendering it when missing or no longer fresh. */
  async function get(path: string, locale: string): Promise<{ response: CachedResponse; cached: boolean }> {
    const key = `${locale}|${path}`
    const entry = entries.get(key)
    if (entry && now() - entry.renderedAt < PAGE_CACHE_FRESH_MS) return { response: entry.response, cached: true }
    let pending = rendering.get(key)
    if (!pending) {
      const startedGeneration = generation
      const renderedAt = now()
      pending = renderEntry(path, locale)
        .then((response) => {
          // Only a plain 200 is kept; and not when a change was announced while it rendered.
          const keep = response.status === 200 && !response.headers.some(([name]) => name === 'set-cookie')
          if (keep && startedGeneration === generation) {
            if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!)
            entries.set(key, { renderedAt, response })
          }
          return response
        })
        .finally(() => rendering.delete(key))
      rendering.set(key, pending)
    }
    return { response: await pending, cached: false }
  }

  /** Forgets every entry (a campaign changed: its slug may be any of them). */
  function invalidate() {
    generation++
    entries.clear()
  }

  /**
   * Answers a cacheable request (an anonymous GET or HEAD of a campaign page or its JSON) ahead of
   * Express, with every response's security headers and its log line; a miss renders through
   * Remix as before. Any other request is left alone (false): it goes on to Express. Express
   * would only have made a nonce and a policy for it, then replaced them (decision 0021).
   */
  function front(req: IncomingMessage, res: ServerResponse): boolean {
    if (!isCacheableRequest(req)) return false
    const path = req.url!
    setSecurityHeaders(res, noScripts, { https, framable: false })
    logWhenFinished(req, res, path)
    void answer(req, res, path).catch((error: unknown) => answerServerError(res, path, error))
    return true
  }

  async function answer(req: IncomingMessage, res: ServerResponse, path: string) {
    const locale = resolveLocale(null, await localeOfCookie(req.headers.cookie), firstHeader(req.headers['accept-language']))
    const { response } = await get(path, locale)
    send(req, res, response)
  }

  return { get, front, invalidate, size: () => entries.size }
}

function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null
}

export function send(req: IncomingMessage, res: ServerResponse, response: CachedResponse) {
  for (const [name, value] of response.headers) res.setHeader(name, value)
  res.setHeader('Content-Security-Policy', response.csp)
  res.setHeader('ETag', response.etag)
  vary(res, 'Accept-Encoding')
  const ifNoneMatch = firstHeader(req.headers['if-none-match'])
  if (response.status === 200 && ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === response.etag || tag.trim() === '*')) {
    res.removeHeader('Content-Type')
    res.statusCode = 304
    res.end()
    return
  }
  const accept = firstHeader(req.headers['accept-encoding']) ?? undefined
  let body = response.body
  if (response.br && acceptsEncoding(accept, 'br')) {
    body = response.br
    res.setHeader('Content-Encoding', 'br')
  } else if (response.gzip && acceptsEncoding(accept, 'gzip')) {
    body = response.gzip
    res.setHeader('Content-Encoding', 'gzip')
  }
  res.setHeader('Content-Length', String(body.length))
  res.statusCode = response.status
  if (req.method === 'HEAD') res.end()
  else res.end(body)
}

export type PageCache = ReturnType<typeof createPageCache>
