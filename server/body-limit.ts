import type { IncomingMessage, ServerResponse } from 'node:http'

/** Public forms (sign, donate, unsubscribe, sign-in…) and the JSON APIs: 64 KB at most. */
export const PUBLIC_BODY_BYTES = 64 * 1024
/** Stripe's and Resend's webhooks. */
export const WEBHOOK_BODY_BYTES = 1024 * 1024
/** Signed-in workspace forms (an update's message in Cyrillic runs to a few hundred KB). */
export const ADMIN_BODY_BYTES = 1024 * 1024

// Larger bodies only where a route needs them and bounds them itself. `.data` is the same
// route's single-fetch form post (JavaScript on).
const BODY_LIMITS: { path: RegExp; maxBytes: number }[] = [
  // The campaign editor's form carries a hero image (2 MB at most) beside its texts.
  { path: /^\/admin\/campaigns\/\d{1,18}\/edit(\.data)?$/, maxBytes: 3 * 1024 * 1024 },
  // A delivery pack's CSV, checked on /verify: hashed as it streams in, never held.
  { path: /^\/verify(\.data)?$/, maxBytes: 256 * 1024 * 1024 },
  { path: /^\/webhooks\//, maxBytes: WEBHOOK_BODY_BYTES },
  { path: /^\/admin\//, maxBytes: ADMIN_BODY_BYTES },
]

/** The largest request body a path accepts, counted as it streams in (declared or chunked). */
export function maxBodyBytesFor(path: string): number {
  if (path.length > 2048) return PUBLIC_BODY_BYTES
  return BODY_LIMITS.find((entry) => entry.path.test(path))?.maxBytes ?? PUBLIC_BODY_BYTES
}

export const TOO_LARGE_TEXT = 'The request is too large.'

export class BodyTooLargeError extends Error {
  constructor() {
    super(TOO_LARGE_TEXT)
    this.name = 'BodyTooLargeError'
  }
}

/**
 * Answers 413 now and stops reading: `Connection: close` makes Node close the socket once the
 * answer is written, so the rest of an oversized body is never parsed or kept.
 */
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse) {
  if (!res.headersSent) {
    res.writeHead(413, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(TOO_LARGE_TEXT),
      'Cache-Control': 'no-store',
      Connection: 'close',
    })
    res.end(TOO_LARGE_TEXT)
  }
  req.pause()
  req.unpipe()
}

/**
 * The request body as a web stream that never passes `limit` bytes: one byte more and the 413
 * goes out at once (`onOverflow`), the stream errors, and nothing more is read from the socket.
 * Pulls from the socket only as fast as the reader asks (at most ~64 KB ahead).
 */
export function cappedBodyStream(req: IncomingMessage, limit: number, onOverflow: () => void): ReadableStream<Uint8Array> {
  let size = 0
  let finished = false
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          if (finished) return
          size += chunk.byteLength
          if (size > limit) {
            finished = true
            onOverflow()
            controller.error(new BodyTooLargeError())
            return
          }
          const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
          controller.enqueue(bytes)
          if ((controller.desiredSize ?? 0) <= 0) req.pause()
        })
        req.once('end', () => {
          if (finished) return
          finished = true
          controller.close()
        })
        req.once('error', (error) => {
          if (finished) return
          finished = true
          controller.error(error)
        })
        req.once('aborted', () => {
          if (finished) return
          finished = true
          controller.error(new Error('request aborted'))
        })
      },
      pull() {
        req.resume()
      },
      cancel() {
        finished = true
        req.pause()
        req.unpipe()
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk?.byteLength ?? 0 },
  )
}

/**
 * The whole request body from the socket, for a caller that needs all of it at once (the sign
 * fast path): one byte past `limit` and the 413 goes out at once (`onOverflow`), the promise
 * rejects with BodyTooLargeError, and nothing more is read.
 */
export function readCappedBody(req: IncomingMessage, limit: number, onOverflow: () => void): Promise<Buffer<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let finished = false
    const fail = (error: Error) => {
      if (finished) return
      finished = true
      reject(error)
    }
    req.on('data', (chunk: Buffer) => {
      if (finished) return
      size += chunk.byteLength
      if (size > limit) {
        fail(new BodyTooLargeError())
        onOverflow()
        return
      }
      chunks.push(chunk)
    })
    req.once('end', () => {
      if (finished) return
      finished = true
      resolve(Buffer.concat(chunks, size))
    })
    req.once('error', fail)
    // The errors are made only when they will be used: every request closes, and an Error's
    // stack, taken for nothing after the body was read, cost a sign POST tens of microseconds.
    req.once('aborted', () => {
      if (!finished) fail(new Error('request aborted'))
    })
    // Closed before its end (and no error said so): nothing more will come.
    req.once('close', () => {
      if (!finished) fail(new Error('request closed'))
    })
  })
}
