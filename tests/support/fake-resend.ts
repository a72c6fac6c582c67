import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: any
}

/**
 * A fake of Resend's HTTP API (the SDK takes its base URL from RESEND_BASE_URL): records every
 * request, answers like Resend, and can be told to fail the next requests.
 */
export async function startFakeResend() {
  const requests: RecordedRequest[] = []
  const failures: { status: number; body: unknown }[] = []
  const seenKeys = new Map<string, unknown>()
  let nextId = 1
  const server = http.createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : null
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body })
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify(payload))
      }
      if (req.headers.authorization !== 'Bearer re_test_key') {
        return reply(401, { name: 'missing_api_key', message: 'Missing API key', statusCode: 401 })
      }
      const failure = failures.shift()
      if (failure) return reply(failure.status, failure.body)
      const key = req.headers['idempotency-key']
      if (typeof key === 'string' && seenKeys.has(key)) return reply(200, seenKeys.get(key))
      let payload: unknown
      if (req.method === 'POST' && req.url === '/emails') {
        payload = { id: `email_${nextId++}` }
      } else if (req.method === 'POST' && req.url === '/emails/batch') {
        payload = { data: (body as unknown[]).map(() => ({ id: `email_${nextId++}` })) }
      } else {
        return reply(404, { name: 'not_found', message: 'Not found', statusCode: 404 })
      }
      if (typeof key === 'string') seenKeys.set(key, payload)
      reply(200, payload)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: 're_test_key',
    requests,
    emailsSent: () => requests.filter((r) => r.path === '/emails' && r.method === 'POST'),
    failNext(count: number, status = 500, body: unknown = { name: 'internal_server_error', message: 'Resend is down', statusCode: status }) {
      for (let i = 0; i < count; i++) failures.push({ status, body })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
