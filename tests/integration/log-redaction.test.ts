import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { listRouteFiles, pathFor, tokenBearingRoutes } from '../support/route-table'
import { stubBuild } from '../support/stub-build'
import { createApp } from '../../server/app'
import { redactPath, TOKEN_PATH_PREFIXES } from '../../server/redact-path'
import { getEnv } from '~/utils/env.server'
import { stopEventLoopWatchdog } from '~/utils/event-loop.server'
import { logger } from '~/utils/logger.server'

// Sign-in and invitation tokens reached request logs (only confirmation and unsubscribe
// links were redacted). One rule now covers every route that carries a token in its path; this
// walks app/routes, so a new token route that the rule misses fails here.

const routes = listRouteFiles()
const TOKENS = ['q7Yh2kLmN0pQrStUvWxYz_-AbCdEfGh12345', 'a.b-C_d', 'short', '123.abcDEF_-']

afterEach(() => {
  vi.restoreAllMocks()
  stopEventLoopWatchdog()
})

describe('request logs never show a token', () => {
  it('finds the token-bearing routes in app/routes (sign-in, invitation, sender, confirm, unsubscribe)', () => {
    const ids = tokenBearingRoutes(routes).map((route) => route.id)
    expect(ids).toEqual(
      expect.arrayContaining([
        'confirm.$token',
        'unsubscribe.$token',
        'admin.sign-in_.$token',
        'admin.invitations.$token',
        'admin.organisation_.sender.$token',
      ]),
    )
  })

  it('redacts the token of every token-bearing route, with or without .data, short or long', () => {
    const missed: string[] = []
    for (const route of tokenBearingRoutes(routes)) {
      for (const token of TOKENS) {
        for (const suffix of ['', '.data']) {
          const path = pathFor(route, { token }) + suffix
          const logged = redactPath(path)
          if (logged.includes(token) || !logged.includes(':token')) missed.push(`${route.id}: ${path} -> ${logged}`)
        }
      }
    }
    expect(missed).toEqual([])
  })

  it('covers the token links still to come (my data, email preferences) and leaves other paths alone', () => {
    expect(TOKEN_PATH_PREFIXES).toEqual(expect.arrayContaining(['/my-data/', '/email-preferences/']))
    expect(redactPath('/my-data/abcDEF123')).toBe('/my-data/:token')
    expect(redactPath('/email-preferences/abcDEF123/edit')).toBe('/email-preferences/:token/edit')
    for (const route of routes.filter((r) => !tokenBearingRoutes(routes).includes(r))) {
      const path = pathFor(route, { slug: 'free-the-defenders-of-the-river-delta-2026', hash: 'a'.repeat(64) })
      expect(redactPath(path), route.id).toBe(path)
    }
    // A random token anywhere else is caught by its look.
    expect(redactPath('/something/q7Yh2kLmN0pQrStUvWxYz_-AbCdEfGh12345/x')).toBe('/something/:token/x')
    expect(redactPath('/admin/sign-in')).toBe('/admin/sign-in')
  })

  it('the request log line carries the redacted path', async () => {
    const build = stubBuild(Object.fromEntries(tokenBearingRoutes(routes).map((route) => [route.pattern.slice(1), async () => new Response('ok')])))
    const server = http.createServer(createApp({ env: getEnv(), mode: 'production', build: async () => build }))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const lines: unknown[] = []
    vi.spyOn(logger, 'info').mockImplementation(((entry: unknown) => void lines.push(entry)) as never)
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      for (const route of tokenBearingRoutes(routes)) {
        const response = await fetch(`${base}${pathFor(route, { token: TOKENS[0]! })}`)
        await response.text()
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
      const logged = JSON.stringify(lines)
      expect(lines.length).toBe(tokenBearingRoutes(routes).length)
      expect(logged).not.toContain(TOKENS[0])
      expect(logged).toContain(':token')
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
