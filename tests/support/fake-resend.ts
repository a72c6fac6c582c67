import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface RecordedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: any
}

/** One email Resend accepted from a batch request (replays of a key add none). */
export interface AcceptedBatchEmail {
  id: string
  batchKey: string | null
  from: string
  to: string[]
  subject: string
  html: string
  text: string
  headers: Record<string, string>
}

/** Resend's limit on the emails of one batch request. */
export const RESEND_BATCH_LIMIT = 100

/**
 * A fake of Resend's HTTP API (the SDK takes its base URL from RESEND_BASE_URL): records every
 * request, answers like Resend, and can be told to fail the next requests.
 *
 * `/emails/batch` behaves like Resend's: more than 100 emails is a 422, an Idempotency-Key seen
 * before replays the first answer (and sends nothing), and every accepted email is kept with its
 * headers. `failNextBatches` fails batch requests only; `crashNextBatches` accepts a batch and
 * then drops the connection before answering, as a crash between Resend and us would.
 */
export async function startFakeResend({ keepBodies = true }: { keepBodies?: boolean } = {}) {
  // keepBodies false (benchmarks): batch requests and emails are counted, keys kept, nothing else.
  const requests: RecordedRequest[] = []
  const failures: { status: number; body: unknown; headers?: Record<string, string> }[] = []
  const batchFailures: { status: number; body: unknown; headers?: Record<string, string> }[] = []
  // Resend's team rate limit: requests a second in fixed one-second windows (null: none).
  let rateLimit: number | null = null
  let windowStart = 0
  let windowCount = 0
  let refusedForRate = 0
  let batchCrashes = 0
  const seenKeys = new Map<string, { raw: string; payload: unknown }>()
  const batchEmails: AcceptedBatchEmail[] = []
  /** How often each batch key was accepted (a replay does not count). */
  const acceptedBatchKeys = new Map<string, number>()
  let batchEmailCount = 0
  let onBatch: ((emails: unknown[], key: string | null) => void) | null = null
  let nextId = 1
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      const body = raw ? JSON.parse(raw) : null
      const isBatch = req.method === 'POST' && req.url === '/emails/batch'
      if (keepBodies || !isBatch) requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body })
      let limitHeaders: Record<string, string> = {}
      const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...limitHeaders, ...headers })
        res.end(JSON.stringify(payload))
      }
      if (req.headers.authorization !== 'Bearer re_test_key') {
        return reply(401, { name: 'missing_api_key', message: 'Missing API key', statusCode: 401 })
      }
      if (rateLimit !== null) {
        const now = Date.now()
        if (now - windowStart >= 1000) {
          windowStart = now
          windowCount = 0
        }
        const reset = Math.max(1, Math.ceil((windowStart + 1000 - now) / 1000))
        if (windowCount >= rateLimit) {
          refusedForRate++
          limitHeaders = { 'ratelimit-limit': String(rateLimit), 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset), 'retry-after': String(reset) }
          return reply(429, { name: 'rate_limit_exceeded', message: 'Too many requests. You can only make 2 requests per second.', statusCode: 429 })
        }
        windowCount++
        limitHeaders = { 'ratelimit-limit': String(rateLimit), 'ratelimit-remaining': String(rateLimit - windowCount), 'ratelimit-reset': String(reset) }
      }
      const failure = failures.shift() ?? (isBatch ? batchFailures.shift() : undefined)
      if (failure) return reply(failure.status, failure.body, failure.headers)
      const key = req.headers['idempotency-key']
      const idempotencyKey = typeof key === 'string' ? key : null
      if (idempotencyKey && seenKeys.has(idempotencyKey)) {
        // As Resend does: the same key with another request is refused, not replayed.
        const seen = seenKeys.get(idempotencyKey)!
        if (seen.raw !== raw) {
          return reply(409, {
            name: 'invalid_idempotent_request',
            message: 'Same idempotency key used with a different request payload.',
            statusCode: 409,
          })
        }
        return reply(200, seen.payload)
      }
      let payload: unknown
      if (req.method === 'POST' && req.url === '/emails') {
        payload = { id: `email_${nextId++}` }
      } else if (isBatch) {
        if (!Array.isArray(body) || body.length === 0) {
          return reply(422, { name: 'validation_error', message: 'The batch must be a non-empty array of emails.', statusCode: 422 })
        }
        if (body.length > RESEND_BATCH_LIMIT) {
          return reply(422, {
            name: 'validation_error',
            message: `Too many emails in the batch: ${body.length}, the limit is ${RESEND_BATCH_LIMIT}.`,
            statusCode: 422,
          })
        }
        const ids = body.map(() => `email_${nextId++}`)
        batchEmailCount += body.length
        if (keepBodies) {
          body.forEach((email: any, i: number) => {
            batchEmails.push({
              id: ids[i]!,
              batchKey: idempotencyKey,
              from: email.from,
              to: Array.isArray(email.to) ? email.to : [email.to],
              subject: email.subject,
              html: email.html,
              text: email.text,
              headers: email.headers ?? {},
            })
          })
        }
        if (idempotencyKey) acceptedBatchKeys.set(idempotencyKey, (acceptedBatchKeys.get(idempotencyKey) ?? 0) + 1)
        onBatch?.(body, idempotencyKey)
        payload = { data: ids.map((id) => ({ id })) }
        if (idempotencyKey) seenKeys.set(idempotencyKey, { raw, payload })
        if (batchCrashes > 0) {
          // Accepted and kept, but the answer never arrives.
          batchCrashes--
          return req.socket.destroy()
        }
        return reply(200, payload)
      } else {
        return reply(404, { name: 'not_found', message: 'Not found', statusCode: 404 })
      }
      if (idempotencyKey) seenKeys.set(idempotencyKey, { raw, payload })
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
    /** Every email accepted through /emails/batch, in order (replays add none). */
    batchEmails,
    /** How many emails /emails/batch accepted (kept even when bodies are not). */
    batchEmailCount: () => batchEmailCount,
    acceptedBatchKeys,
    failNext(count: number, status = 500, body: unknown = { name: 'internal_server_error', message: 'Resend is down', statusCode: status }) {
      for (let i = 0; i < count; i++) failures.push({ status, body })
    },
    /** Fails the next `count` batch requests (other requests are answered as usual), with headers if given. */
    failNextBatches(
      count: number,
      status = 500,
      body: unknown = { name: 'internal_server_error', message: 'Resend is down', statusCode: status },
      headers?: Record<string, string>,
    ) {
      for (let i = 0; i < count; i++) batchFailures.push({ status, body, headers })
    },
    /** Enforces a team rate limit like Resend's: beyond `perSecond` requests in a second, 429 with ratelimit-* and retry-after. */
    limitRate(perSecond: number | null) {
      rateLimit = perSecond
      windowStart = 0
      windowCount = 0
    },
    /** How many requests the rate limit refused. */
    refusedForRate: () => refusedForRate,
    /** The next `count` batch requests are accepted, then the connection drops without an answer. */
    crashNextBatches(count: number) {
      batchCrashes += count
    },
    /** Called with each accepted batch (a test may throw from its own code here to crash the sender). */
    onBatch(hook: ((emails: unknown[], key: string | null) => void) | null) {
      onBatch = hook
    },
    /** Forgets everything, idempotency keys included (test databases reuse ids). */
    reset() {
      requests.length = 0
      failures.length = 0
      batchFailures.length = 0
      batchCrashes = 0
      seenKeys.clear()
      batchEmails.length = 0
      acceptedBatchKeys.clear()
      batchEmailCount = 0
      onBatch = null
      rateLimit = null
      refusedForRate = 0
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export type FakeResend = Awaited<ReturnType<typeof startFakeResend>>
