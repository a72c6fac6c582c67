import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { stubBuild } from '../support/stub-build'
import { createApp } from '../../server/app'
import { heartbeatIntervalMs } from '../../server/recovery'
import { getEnv, parseEnv } from '~/utils/env.server'
import { stopEventLoopWatchdog } from '~/utils/event-loop.server'
import { isDraining, startDraining } from '~/utils/process.server'

// Decision 0026: on SIGTERM a load balancer is told to stop sending traffic (/healthz 503)
// while requests already on their way are still answered.

const build = stubBuild({ hello: async () => new Response('hello') })

afterEach(() => {
  stopEventLoopWatchdog()
  // This process's state is global: leave it as the next test expects it.
  ;(globalThis as unknown as { __chorusProcess?: { draining: boolean } }).__chorusProcess!.draining = false
})

describe('a process draining for a deploy', () => {
  it('answers /healthz with 503 while still answering requests', async () => {
    const server = http.createServer(createApp({ env: getEnv(), mode: 'production', build: async () => build }))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200)
      expect(isDraining()).toBe(false)
      startDraining()
      const health = await fetch(`${base}/healthz`)
      expect(health.status).toBe(503)
      expect(health.headers.get('cache-control')).toBe('no-store')
      expect(await health.json()).toEqual({ status: 'draining' })
      const page = await fetch(`${base}/hello`)
      expect(page.status).toBe(200)
      expect(await page.text()).toBe('hello')
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })

  it('validates the crash-recovery settings and beats a few times per timeout', () => {
    const base = { NODE_ENV: 'test', DATA_DIR: '.data/test' }
    expect(parseEnv(base)).toMatchObject({ WORKER_DEAD_AFTER_SECONDS: 30, SHUTDOWN_GRACE_SECONDS: 20 })
    expect(() => parseEnv({ ...base, WORKER_DEAD_AFTER_SECONDS: '1' })).toThrow(/WORKER_DEAD_AFTER_SECONDS/)
    expect(() => parseEnv({ ...base, SHUTDOWN_GRACE_SECONDS: 'soon' })).toThrow(/SHUTDOWN_GRACE_SECONDS/)
    expect(heartbeatIntervalMs(30)).toBe(5000)
    expect(heartbeatIntervalMs(3)).toBe(750)
    expect(heartbeatIntervalMs(2)).toBe(500)
  })
})
