import type { AppLoadContext } from '@remix-run/node'

export interface RequestContext {
  ip: string
  userAgent: string | null
}

declare module '@remix-run/node' {
  interface AppLoadContext {
    ip: string
    cspNonce: string
  }
}

/** The client's address as the server entry determined it (honouring TRUST_PROXY). */
export function requestContext(request: Request, context: AppLoadContext): RequestContext {
  return { ip: context.ip || '0.0.0.0', userAgent: request.headers.get('User-Agent') }
}
