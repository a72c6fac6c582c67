import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { stubBuild } from '../support/stub-build'
import { createApp } from '../../server/app'
import { hitRateLimit } from '~/models/rate-limit.server'
import { getDb } from '~/utils/db.server'
import { getEnv, parseEnv, type Env } from '~/utils/env.server'
import { isLocalDevelopmentRequest } from '~/utils/request.server'
import { rateLimitKey, rateLimitSubject } from '~/utils/security.server'

// With TRUST_PROXY=on the left-most X-Forwarded-For entry
// (the client's own words) was believed, `X-Forwarded-For: 127.0.0.1, 203.0.113.9` opened
// /dev/mailbox, and the cross-site check trusted X-Forwarded-Host with no proxy configured.

const build = stubBuild({
  whoami: async ({ request, context }) => Response.json({ ip: (context as { ip: string }).ip, local: isLocalDevelopmentRequest(request, context as never) }),
})

async function serve(env: Env) {
  const server = http.createServer(createApp({ env, mode: 'production', build: async () => build }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    get: (headers: Record<string, string>) => raw(port, 'GET', headers),
    post: (headers: Record<string, string>) => raw(port, 'POST', headers),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A request with exactly these headers (fetch would not let us set Host). */
function raw(port: number, method: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: '/whoami', method, headers: { Host: 'localhost:3000', ...headers } }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (part: string) => (body += part))
      response.on('end', () => resolve({ status: response.statusCode!, body }))
    })
    request.on('error', reject)
    request.end(method === 'POST' ? 'a=b' : undefined)
  })
}

const withTrust = (value: string) => ({ ...getEnv(), TRUST_PROXY: parseEnv({ ...process.env, TRUST_PROXY: value }).TRUST_PROXY })

describe('TRUST_PROXY', () => {
  it('takes off, on (one hop), a hop count or a list of addresses/CIDRs, and refuses anything else', () => {
    const parse = (value: string) => parseEnv({ ...process.env, TRUST_PROXY: value }).TRUST_PROXY
    expect(parse('off')).toBe(false)
    expect(parse('on')).toBe(1)
    expect(parse('2')).toBe(2)
    expect(parse('10.0.0.0/8, 192.168.1.1,loopback, fd00::/8')).toEqual(['10.0.0.0/8', '192.168.1.1', 'loopback', 'fd00::/8'])
    expect(() => parse('everyone')).toThrow(/TRUST_PROXY/)
  })

  it('with one trusted hop, the client is the right-most address the proxy added, not what the client wrote', async () => {
    const app = await serve(withTrust('on'))
    try {
      const spoofed = await app.get({ 'X-Forwarded-For': '127.0.0.1, 203.0.113.9' })
      expect(JSON.parse(spoofed.body)).toEqual({ ip: '203.0.113.9', local: false })
    } finally {
      await app.close()
    }
  })

  it('with a list, skips the listed proxies from the right and stops at the first other address', async () => {
    const app = await serve(withTrust('loopback, 10.0.0.0/8'))
    try {
      const answer = await app.get({ 'X-Forwarded-For': '198.51.100.7, 203.0.113.9, 10.1.2.3' })
      expect(JSON.parse(answer.body).ip).toBe('203.0.113.9')
    } finally {
      await app.close()
    }
  })

  it('off: X-Forwarded-For is ignored', async () => {
    const app = await serve(withTrust('off'))
    try {
      const answer = await app.get({ 'X-Forwarded-For': '203.0.113.9' })
      expect(JSON.parse(answer.body).ip).toBe('127.0.0.1')
    } finally {
      await app.close()
    }
  })
})

describe('development-only pages', () => {
  it('need a loopback socket, nothing forwarded, and a Host of localhost or APP_URL (no DNS rebinding)', async () => {
    const app = await serve(withTrust('off'))
    try {
      expect(JSON.parse((await app.get({})).body).local).toBe(true)
      expect(JSON.parse((await app.get({ Host: '127.0.0.1:3000' })).body).local).toBe(true)
      expect(JSON.parse((await app.get({ Host: 'attacker.example:3000' })).body).local).toBe(false)
      expect(JSON.parse((await app.get({ 'X-Forwarded-For': '127.0.0.1' })).body).local).toBe(false)
    } finally {
      await app.close()
    }
  })
})

describe('the cross-site check', () => {
  it("compares Origin with APP_URL's origin, and believes X-Forwarded-Host only from a trusted proxy", async () => {
    const plain = await serve(withTrust('off'))
    try {
      expect((await plain.post({ Origin: 'http://localhost:3000' })).status).toBe(200)
      expect((await plain.post({ Origin: 'https://evil.example', Host: 'evil.example' })).status).toBe(403)
      expect((await plain.post({ Origin: 'https://evil.example', 'X-Forwarded-Host': 'evil.example' })).status).toBe(403)
    } finally {
      await plain.close()
    }
    const proxied = await serve(withTrust('loopback'))
    try {
      const headers = { Origin: 'https://petitions.example.org', 'X-Forwarded-Host': 'petitions.example.org', 'X-Forwarded-Proto': 'https' }
      expect((await proxied.post(headers)).status).toBe(200)
      expect((await proxied.post({ ...headers, Origin: 'https://evil.example' })).status).toBe(403)
    } finally {
      await proxied.close()
    }
  })
})

describe('rate-limit buckets and windows', () => {
  it('group IPv6 addresses by /64 and keep IPv4 addresses apart', () => {
    expect(rateLimitSubject('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(rateLimitKey('2001:db8:1:2:aaaa::1')).toBe(rateLimitKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'))
    expect(rateLimitKey('2001:db8:1:2::1')).not.toBe(rateLimitKey('2001:db8:1:3::1'))
    expect(rateLimitKey('::ffff:192.0.2.1')).toBe(rateLimitKey('192.0.2.1'))
    expect(rateLimitKey('192.0.2.1')).not.toBe(rateLimitKey('192.0.2.2'))
  })

  it('weigh the previous window, so twice the limit does not fit around a window boundary', async () => {
    const windowSeconds = 3600
    const bucket = `test:${Math.random()}`
    // The previous window used the whole limit just before the boundary; it is now just after.
    const current = new Date(Math.floor(Date.now() / 1000 / windowSeconds) * windowSeconds * 1000)
    const previous = new Date(current.getTime() - windowSeconds * 1000)
    await getDb().insertInto('rate_limits').values({ bucket, window_start: previous, hits: 10 }).execute()
    const elapsed = (Date.now() - current.getTime()) / (windowSeconds * 1000)
    const allowedNow = Math.floor(10 - 10 * (1 - elapsed))
    let allowed = 0
    for (let i = 0; i < 12; i++) if ((await hitRateLimit(bucket, { limit: 10, windowSeconds })).allowed) allowed++
    expect(allowed).toBeLessThanOrEqual(allowedNow + 1)
    expect(allowed).toBeLessThan(10)
  })
})
