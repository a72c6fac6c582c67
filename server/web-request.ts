import type { Request as ExpressRequest } from 'express'

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
