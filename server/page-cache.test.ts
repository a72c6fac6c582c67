import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import express from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { compressAssets, precompressedAssets } from './compressed-assets'
import { createPageCache, isCacheableRequest } from './page-cache'

const servers: http.Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

async function listen(app: http.RequestListener) {
  const server = http.createServer(app)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A stand-in for Remix: renders what it was given, so anything personal would show. */
function cachedApp() {
  const renders: { url: string; headers: Record<string, string> }[] = []
  const cache = createPageCache({
    appUrl: 'http://chorus.test',
    contentSecurityPolicy: (hashes) => `default-src 'self'; script-src 'self'${hashes.map((h) => ` ${h}`).join('')}`,
    render: async (request, context) => {
      const headers = Object.fromEntries(request.headers)
      renders.push({ url: request.url, headers })
      const seen = JSON.stringify({ n: renders.length, headers, nonce: context.cspNonce })
      const html = `<!DOCTYPE html><html><body><h1>Campaign</h1><p>${'signers '.repeat(200)}</p><script>window.__seen = ${seen}</script></body></html>`
      return new Response(html, {
        headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'public, max-age=5', Vary: 'Accept-Language, Cookie' },
      })
    },
  })
  const rest = express()
  // What a visitor with a session gets: the normal, uncached render, with their own data.
  rest.use((req, res) => {
    res.setHeader('Cache-Control', 'no-store')
    res.type('html').send(`<p>Welcome back, your cookie: ${req.get('cookie') ?? 'none'}; query: ${req.url}</p>`)
  })
  // As the server composes it: the cache answers what it may, ahead of everything else.
  const app: http.RequestListener = (req, res) => void (cache.front(req, res) || rest(req, res))
  return { app, cache, renders }
}

describe('the page cache', () => {
  it('renders a campaign page once for anonymous visitors, with hashes in its CSP, an ETag and 304s', async () => {
    const { app, renders } = cachedApp()
    const base = await listen(app)
    const first = await fetch(`${base}/campaigns/save-the-bees`, { headers: { 'Accept-Language': 'ru' } })
    const second = await fetch(`${base}/campaigns/save-the-bees`, { headers: { 'Accept-Language': 'ru' } })
    const html = await first.text()
    expect(await second.text()).toBe(html)
    expect(renders).toHaveLength(1)
    expect(renders[0]!.headers).toEqual({ 'accept-language': 'ru', accept: 'text/html' })

    const csp = first.headers.get('content-security-policy')!
    expect(csp).not.toContain('nonce-')
    expect(csp).not.toContain('unsafe-inline')
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!
    expect(csp).toContain(`'sha256-${crypto.createHash('sha256').update(script).digest('base64')}'`)

    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^W\/".+"$/)
    const revalidated = await fetch(`${base}/campaigns/save-the-bees`, { headers: { 'Accept-Language': 'ru', 'If-None-Match': etag } })
    expect(revalidated.status).toBe(304)
    expect(revalidated.headers.get('content-security-policy')).toBe(csp)
    // The render's own Vary, and the encoding the cache chooses by.
    expect(first.headers.get('vary')).toBe('Accept-Language, Cookie, Accept-Encoding')
    expect(revalidated.headers.get('vary')).toBe('Accept-Language, Cookie, Accept-Encoding')

    // Another language is another entry.
    await fetch(`${base}/campaigns/save-the-bees`, { headers: { 'Accept-Language': 'en' } })
    expect(renders).toHaveLength(2)
  })

  it('never puts a visitor’s cookie, query or flash into a cached response, nor serves it to the next visitor', async () => {
    const { app, renders } = cachedApp()
    const base = await listen(app)
    const signedIn = await fetch(`${base}/campaigns/save-the-bees`, { headers: { Cookie: '__session=secret-visitor-session; chorus_flash=thanks-ada' } })
    expect(await signedIn.text()).toContain('secret-visitor-session')
    expect(signedIn.headers.get('cache-control')).toBe('no-store')
    const prefilled = await fetch(`${base}/campaigns/save-the-bees?email=ada@example.org`)
    expect(await prefilled.text()).toContain('ada@example.org')
    expect(renders).toHaveLength(0)

    const anonymous = await fetch(`${base}/campaigns/save-the-bees`, { headers: { Cookie: 'chorus_lang=ru' } })
    const body = await anonymous.text()
    expect(body).not.toMatch(/secret-visitor-session|thanks-ada|ada@example\.org/)
    expect(renders).toHaveLength(1)
    expect(renders[0]!.headers.cookie).toBeUndefined()
    expect(renders[0]!.headers['accept-language']).toBe('ru')
    expect(renders[0]!.url).toBe('http://chorus.test/campaigns/save-the-bees')
  })

  it('renders again after a change is announced, and after the entry has aged', async () => {
    let now = 1_000_000
    const renders: number[] = []
    const cache = createPageCache({
      appUrl: 'http://chorus.test',
      contentSecurityPolicy: () => "script-src 'self'",
      now: () => now,
      render: async () => {
        renders.push(now)
        return Response.json({ signatureCount: renders.length })
      },
    })
    expect((await cache.get('/api/campaigns/x', 'en')).response.body.toString()).toBe('{"signatureCount":1}')
    expect((await cache.get('/api/campaigns/x', 'en')).cached).toBe(true)
    cache.invalidate()
    expect((await cache.get('/api/campaigns/x', 'en')).response.body.toString()).toBe('{"signatureCount":2}')
    now += 2500
    expect((await cache.get('/api/campaigns/x', 'en')).response.body.toString()).toBe('{"signatureCount":3}')
    expect(renders).toHaveLength(3)
  })

  it('serves brotli or gzip by Accept-Encoding, compressed once', async () => {
    const { app, renders } = cachedApp()
    const base = await listen(app)
    const plain = await (await fetch(`${base}/campaigns/bees`, { headers: { 'Accept-Encoding': 'identity' } })).text()
    const raw = (encoding: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve) => {
        http.get(`${base}/campaigns/bees`, { headers: { 'Accept-Encoding': encoding } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
        })
      })
    const br = await raw('gzip, deflate, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(plain)
    const gz = await raw('gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(zlib.gunzipSync(gz.body).toString()).toBe(plain)
    expect(renders).toHaveLength(1)
  })

  it('caches only plain anonymous GETs of a campaign page or its JSON', () => {
    const req = (method: string, url: string, headers: Record<string, string> = {}) => ({ method, url, headers })
    expect(isCacheableRequest(req('GET', '/campaigns/bees'))).toBe(true)
    expect(isCacheableRequest(req('GET', '/api/campaigns/bees', { cookie: 'chorus_lang=en' }))).toBe(true)
    expect(isCacheableRequest(req('POST', '/campaigns/bees'))).toBe(false)
    expect(isCacheableRequest(req('GET', '/campaigns/bees?_data=root'))).toBe(false)
    expect(isCacheableRequest(req('GET', '/campaigns/bees', { cookie: 'chorus_lang=en; __session=x' }))).toBe(false)
    expect(isCacheableRequest(req('GET', '/campaigns/bees', { authorization: 'Bearer x' }))).toBe(false)
    expect(isCacheableRequest(req('GET', '/campaigns/bees/donate'))).toBe(false)
    expect(isCacheableRequest(req('HEAD', '/campaigns/bees'))).toBe(true)
    // Left to the server's own refusals: a NUL in the path (400), a GET declaring a body (413).
    expect(isCacheableRequest(req('GET', '/campaigns/bees%00'))).toBe(false)
    expect(isCacheableRequest(req('GET', '/campaigns/bees', { 'transfer-encoding': 'chunked' }))).toBe(false)
    expect(isCacheableRequest(req('GET', '/campaigns/bees', { 'content-length': '12' }))).toBe(false)
    expect(isCacheableRequest(req('GET', '/campaigns/bees', { 'content-length': '0' }))).toBe(true)
  })
})

describe('precompressed static assets', () => {
  it('are written once at build time and served by Accept-Encoding with the original type', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-assets-'))
    fs.mkdirSync(path.join(root, 'assets'))
    const source = `export const words = ${JSON.stringify('chorus '.repeat(500))}\n`
    fs.writeFileSync(path.join(root, 'assets', 'app-abc.js'), source)
    fs.writeFileSync(path.join(root, 'assets', 'tiny.js'), 'x()')
    expect(compressAssets(root)).toBe(1)
    expect(fs.existsSync(path.join(root, 'assets', 'tiny.js.br'))).toBe(false)

    const app = express()
    app.use(precompressedAssets(root))
    app.use(express.static(root))
    const base = await listen(app)
    const get = (encoding: string) =>
      new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve) => {
        http.get(`${base}/assets/app-abc.js`, { headers: { 'Accept-Encoding': encoding } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }))
        })
      })
    const br = await get('gzip, br')
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['content-type']).toMatch(/javascript/)
    expect(br.headers.vary).toMatch(/Accept-Encoding/)
    // The very bytes written at build time: nothing compressed per request.
    expect(br.body.equals(fs.readFileSync(path.join(root, 'assets', 'app-abc.js.br')))).toBe(true)
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(source)
    const gz = await get('gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(zlib.gunzipSync(gz.body).toString()).toBe(source)
    const plain = await get('identity')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers.vary).toMatch(/Accept-Encoding/)
    expect(plain.body.toString()).toBe(source)
    fs.rmSync(root, { recursive: true, force: true })
  })
})
