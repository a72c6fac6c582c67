import type { Request as ExpressRequest, Response as ExpressResponse } from 'express'
import { cappedBodyStream, refuseTooLarge } from './body-limit'

/** The request's absolute URL, as Remix's Express adapter builds it. */
export function requestUrl(req: ExpressRequest): string {
  const [, hostnamePortStr] = req.get('X-Forwarded-Host')?.split(':') ?? []
  const [, hostPortStr] = req.get('host')?.split(':') ?? []
  const hostnamePort = Number.parseInt(hostnamePortStr ?? '', 10)
  const hostPort = Number.parseInt(hostPortStr ?? '', 10)
  const port = Number.isSafeInteger(hostnamePort) ? hostnamePort : Number.isSafeInteger(hostPort) ? hostPort : ''
  return new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ''}${req.originalUrl}`).href
}

/** Node's request headers as web Headers. */
export function webHeaders(requestHeaders: ExpressRequest['headers']): Headers {
  const headers = new Headers()
  for (const [key, values] of Object.entries(requestHeaders)) {
    if (!values) continue
    if (Array.isArray(values)) for (const value of values) headers.append(key, value)
    else headers.set(key, values)
  }
  return headers
}

/**
 * The web Request for an Express one, as Remix's adapter makes it, but with the body capped as it
 * streams (413 at the cap, before any parser sees the rest: `res.locals.bodyLimit`) and aborted if
 * the client goes away. `body`, when given, is the body already read from the socket (the sign
 * fast path read it), sent as it is.
 */
export function createCappedRequest(req: ExpressRequest, res: ExpressResponse, body?: Buffer<ArrayBuffer>): Request {
  let controller: AbortController | null = new AbortController()
  const init: RequestInit & { duplex?: 'half' } = {
    method: req.method,
    headers: webHeaders(req.headers),
    signal: controller.signal,
  }
  if (body !== undefined) init.body = body
  else if (req.method !== 'GET' && req.method !== 'HEAD') {
    init.body = cappedBodyStream(req, res.locals.bodyLimit as number, () => refuseTooLarge(req, res))
    init.duplex = 'half'
  }
  res.on('finish', () => (controller = null))
  res.on('close', () => controller?.abort())
  return new Request(requestUrl(req), init)
}
