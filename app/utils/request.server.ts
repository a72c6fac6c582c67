import type { AppLoadContext } from '@remix-run/node'
import { getEnv } from '~/utils/env.server'
import { isLoopbackAddress } from '~/utils/security.server'

export interface RequestContext {
  ip: string
  userAgent: string | null
}

declare module '@remix-run/node' {
  interface AppLoadContext {
    /** The client's address: the socket's, or the right-most untrusted X-Forwarded-For entry behind TRUST_PROXY. */
    ip: string
    /** The TCP peer's address, whatever any header says. */
    socketIp: string
    cspNonce: string
  }
}

/** The client's address as the server entry determined it (honouring TRUST_PROXY). */
export function requestContext(request: Request, context: AppLoadContext): RequestContext {
  return { ip: context.ip || '0.0.0.0', userAgent: request.headers.get('User-Agent') }
}

/**
 * Development-only pages (the mailbox): the TCP peer must be this machine (never a forwarded
 * address), and the Host must be localhost or APP_URL's host, so a DNS-rebinding page in the
 * developer's browser cannot read them.
 */
export function isLocalDevelopmentRequest(request: Request, context: AppLoadContext): boolean {
  if (!isLoopbackAddress(context.socketIp)) return false
  // Through a proxy on this machine, the socket is loopback for everyone: refuse anything forwarded.
  if (request.headers.has('X-Forwarded-For') || request.headers.has('Forwarded')) return false
  const host = request.headers.get('Host') ?? new URL(request.url).host
  if (!host || host.length > 300) return false
  let hostname: string
  try {
    hostname = new URL(`http://${host}`).hostname
  } catch {
    return false
  }
  const appHost = new URL(getEnv().APP_URL).hostname
  return ['localhost', '127.0.0.1', '[::1]', appHost].includes(hostname)
}
