import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createCampaign } from '../support/factories'
import { stubBuild } from '../support/stub-build'
import { createApp, maxBodyBytesFor } from '../../server/app'
import { action as signAction } from '~/routes/campaigns.$slug'
import { getDb } from '~/utils/db.server'
import { getEnv, resetEnv } from '~/utils/env.server'
import { stopEventLoopWatchdog } from '~/utils/event-loop.server'

// One chunked 64 MB multipart POST kept the process at 100% CPU for ten minutes while
// /healthz stopped answering. Bodies are now capped as they stream, before anything parses them.

let parsedBytes = 0
const build = stubBuild({
  // What the sign route did before: hand the whole body to the platform's multipart parser.
  'naive/:slug': async ({ request }) => {
    const form = await request.formData()
    parsedBytes += [...form.values()].reduce((sum, v) => sum + (typeof v === 'string' ? v.length : v.size), 0)
    return new Response('parsed')
  },
  'campaigns/:slug': signAction as never,
  'webhooks/echo': async ({ request }) => new Response(String((await request.arrayBuffer()).byteLength)),
})

async function serve() {
  const app = createApp({ env: getEnv(), mode: 'production', build: async () => build })
  const server = http.createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * Streams a chunked multipart body of `totalBytes` (never declaring its length), as fast as the
 * server takes it, and resolves with the answer and how much had been sent when it came.
 */
function chunkedUpload(port: number, path: string, totalBytes: number, headers: Record<string, string> = {}, method = 'POST') {
  return new Promise<{ status: number; body: string; sentWhenAnswered: number }>((resolve, reject) => {
    const boundary = 'xxBOUNDARYxx'
    const request = http.request({
      host: '127.0.0.1',
      port,
      path,
      method,
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Transfer-Encoding': 'chunked', ...headers },
    })
    let sent = 0
    let answered = false
    const chunk = Buffer.alloc(64 * 1024, 'a')
    request.on('response', (response) => {
      answered = true
      const sentWhenAnswered = sent
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (part: string) => (body += part))
      response.on('end', () => resolve({ status: response.statusCode!, body, sentWhenAnswered }))
      response.on('error', reject)
    })
    request.on('error', (error) => {
      // The server closes the connection after its 413: a write racing that close may fail.
      if (!answered) reject(error)
    })
    const pump = () => {
      while (!answered && sent < totalBytes) {
        const part = sent === 0 ? Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="fullName"\r\n\r\n`) : chunk
        sent += part.length
        if (!request.write(part)) return void request.once('drain', pump)
      }
      if (!answered) request.end()
    }
    pump()
  })
}

afterEach(() => {
  delete process.env.SIGN_RATE_LIMIT
  resetEnv()
  stopEventLoopWatchdog()
})

describe('request bodies are capped as they stream', () => {
  it('public forms take 64 KB, webhooks 1 MB, the campaign editor and /verify their own uploads', () => {
    expect(maxBodyBytesFor('/campaigns/save-the-river')).toBe(64 * 1024)
    expect(maxBodyBytesFor('/campaigns/save-the-river.data')).toBe(64 * 1024)
    expect(maxBodyBytesFor('/api/osdi/v1/petitions/1/signatures')).toBe(64 * 1024)
    expect(maxBodyBytesFor('/webhooks/stripe')).toBe(1024 * 1024)
    expect(maxBodyBytesFor('/admin/campaigns/12/edit')).toBe(3 * 1024 * 1024)
    expect(maxBodyBytesFor('/admin/campaigns/12/edit.data')).toBe(3 * 1024 * 1024)
    expect(maxBodyBytesFor('/verify')).toBe(256 * 1024 * 1024)
  })

  it('answers a chunked 64 MB multipart POST with 413 at the cap, reading no further, while /healthz keeps answering', async () => {
    const { port, base, close } = await serve()
    try {
      parsedBytes = 0
      const upload = chunkedUpload(port, '/naive/x', 64 * 1024 * 1024)
      const health = await fetch(`${base}/healthz`)
      expect(health.status).toBe(200)
      const answer = await upload
      expect(answer.status).toBe(413)
      expect(answer.body).toBe('The request is too large.')
      // Answered long before the client had sent its 64 MB (socket buffers hold a few MB at most).
      expect(answer.sentWhenAnswered).toBeLessThan(16 * 1024 * 1024)
      expect(parsedBytes).toBe(0)
      expect((await fetch(`${base}/healthz`)).status).toBe(200)
    } finally {
      await close()
    }
  })

  it('refuses a declared length over the cap before reading a byte, and a GET carrying a body', async () => {
    const { port, close } = await serve()
    try {
      const declared = await new Promise<number>((resolve, reject) => {
        const request = http.request({
          host: '127.0.0.1',
          port,
          path: '/naive/x',
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(10 * 1024 * 1024) },
        })
        request.on('response', (response) => {
          response.resume()
          resolve(response.statusCode!)
        })
        request.on('error', reject)
        request.write('a=b') // and never the rest: the answer must not wait for it
      })
      expect(declared).toBe(413)
      const getWithBody = await chunkedUpload(port, '/naive/x', 100, {}, 'GET')
      expect(getWithBody.status).toBe(413)
    } finally {
      await close()
    }
  })

  it('lets bodies within the cap through, chunked or not (a webhook takes up to 1 MB)', async () => {
    const { base, close } = await serve()
    try {
      const webhook = await fetch(`${base}/webhooks/echo`, { method: 'POST', body: Buffer.alloc(900 * 1024, 'a') })
      expect(await webhook.text()).toBe(String(900 * 1024))
      const tooBig = await fetch(`${base}/webhooks/echo`, { method: 'POST', body: Buffer.alloc(1024 * 1024 + 1, 'a') })
      expect(tooBig.status).toBe(413)
    } finally {
      await close()
    }
  })

  it('the sign form: a chunked 64 MB multipart body gets 413 and writes nothing', async () => {
    const campaign = await createCampaign(getDb())
    const { port, close } = await serve()
    try {
      const answer = await chunkedUpload(port, `/campaigns/${campaign.slug}`, 64 * 1024 * 1024)
      expect(answer.status).toBe(413)
      expect(answer.sentWhenAnswered).toBeLessThan(16 * 1024 * 1024)
      expect(await getDb().selectFrom('signatures').select('id').execute()).toEqual([])
    } finally {
      await close()
    }
  })
})

describe('the rate limit comes before the body', () => {
  it('answers 429 without waiting for (or reading) the body of a refused client', async () => {
    process.env.SIGN_RATE_LIMIT = '1'
    resetEnv()
    const campaign = await createCampaign(getDb())
    const { port, base, close } = await serve()
    try {
      const first = await fetch(`${base}/campaigns/${campaign.slug}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'fullName=',
      })
      expect(await first.text()).not.toContain('sign.error.rateLimited')
      // A body that never ends: only a check made before reading it can answer.
      const answer = await new Promise<string>((resolve, reject) => {
        const request = http.request({
          host: '127.0.0.1',
          port,
          path: `/campaigns/${campaign.slug}`,
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' },
        })
        request.on('response', (response) => {
          let body = ''
          response.setEncoding('utf8')
          response.on('data', (part: string) => (body += part))
          response.on('end', () => {
            resolve(body)
            request.destroy()
          })
        })
        request.on('error', reject)
        request.write('fullName=')
      })
      expect(answer).toContain('sign.error.rateLimited')
    } finally {
      await close()
    }
  })
})

describe('the event-loop watchdog', () => {
  it('makes /healthz answer 503 after the loop was blocked for more than a second', async () => {
    const { base, close } = await serve()
    try {
      const before = await fetch(`${base}/healthz`)
      expect(before.status).toBe(200)
      expect((await before.json()).eventLoop).toMatchObject({ blocked: false })
      const until = Date.now() + 1300
      while (Date.now() < until) {
        // a synchronous stall, like the old name rule on a 100 KB name
      }
      const after = await fetch(`${base}/healthz`)
      expect(after.status).toBe(503)
      expect(await after.json()).toMatchObject({ status: 'error', database: 'ok', eventLoop: { blocked: true } })
    } finally {
      await close()
    }
  })
})
