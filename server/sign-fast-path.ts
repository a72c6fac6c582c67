import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AppLoadContext } from '@remix-run/node'
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express'
import { answerSignPost, type SignAttempt, type SignPost } from '../app/components/sign-action.server'
import { fieldsOfUrlEncoded } from '../app/utils/form.server'
import { localeOfCookie, resolveLocale } from '../app/utils/locale.server'
import { maxBodyBytesFor, readCappedBody, refuseTooLarge } from './body-limit'
import {
  allowedOrigins,
  answerServerError,
  clientAddress,
  declaresTooMuch,
  isCrossSitePost,
  logWhenFinished,
  refuseCrossSite,
  setSecurityHeaders,
  type Trust,
} from './front'
import { createCappedRequest } from './web-request'

// A surge is mostly people signing without JavaScript (a shared link, a phone): their form post
// is answered here, ahead of Express, as the page cache answers their GET (decisions 0020, 0050).
// It meets what every request meets first (server/front.ts: the security headers, the request
// log, the body's declared size, the cross-site check, the client's address as the trusted
// proxies name it), then the same code signs (attemptSignPost: the rate limit looked at before the
// body is read, one statement) and the redirect goes out, written straight to the socket: no
// Express request, no web Request or Response is built for a signature.
//
// What is not a plain signature is the route's, handed on to Express with the attempt and the
// body already read (signHandover): a refusal (shown by the page, from the attempt carried in the
// context, so nothing is counted twice), a campaign that is not there. A post with a query string
// (JavaScript's), or of another type, never comes here.

/** `/campaigns/<slug>` exactly, no query string: the campaign page's own form. */
const SIGN_PATH = /^\/campaigns\/([a-z0-9-]{1,200})$/

const HANDOVER = Symbol('chorus.signHandover')
interface Handover {
  attempt: SignAttempt | null
  body: Buffer<ArrayBuffer> | undefined
}
type HandedRequest = IncomingMessage & { [HANDOVER]?: Handover }

export interface SignFrontOptions {
  trust: Trust
  appOrigin: string
  https: boolean
  /** The policy of a bodiless answer: no inline script at all. */
  contentSecurityPolicy: string
  /** Express, for what the route answers (given the attempt), and for every other request. */
  handOn: (req: IncomingMessage, res: ServerResponse) => void
}

/**
 * Answers a plain sign POST ahead of Express: true when it took the request (and will answer it
 * or hand it on), false when the request is not one and is Express's.
 */
export function signFront(options: SignFrontOptions) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST') return false
    const path = req.url ?? ''
    const slug = SIGN_PATH.exec(path)?.[1]
    if (!slug || contentType(req) !== 'application/x-www-form-urlencoded') return false
    setSecurityHeaders(res, options.contentSecurityPolicy, { https: options.https, framable: false })
    logWhenFinished(req, res, path)
    const limit = maxBodyBytesFor(path)
    if (declaresTooMuch(req, limit)) {
      refuseTooLarge(req, res)
      return true
    }
    if (isCrossSitePost('POST', req.headers.origin, allowedOrigins(req, options.trust, options.appOrigin))) {
      refuseCrossSite(res)
      return true
    }
    void sign(req, res, slug, limit, options).catch((error: unknown) => answerServerError(res, path, error))
    return true
  }
}

async function sign(req: IncomingMessage, res: ServerResponse, slug: string, limit: number, options: SignFrontOptions) {
  // The body streams in only when the form is read, after the rate limit's look (a refused
  // client's body is never waited for); what was read is kept for the route, if it answers.
  let body: Buffer<ArrayBuffer> | undefined
  let unreadable = false
  const post: SignPost = {
    ip: clientAddress(req, options.trust) || '0.0.0.0',
    userAgent: req.headers['user-agent'] ?? null,
    readForm: async () => {
      try {
        body = await readCappedBody(req, limit, () => refuseTooLarge(req, res))
      } catch (error) {
        unreadable = true
        throw error
      }
      return fieldsOfUrlEncoded(body)
    },
  }
  // As getLocale chooses: this path has no query string, so the cookie, then Accept-Language.
  const locale = resolveLocale(null, await localeOfCookie(req.headers.cookie), req.headers['accept-language'] ?? null)
  const attempt = await answerSignPost(post, slug, locale)
  if (res.headersSent) return // the 413, while the body was read
  // The client went away mid-body: there is no one to answer, and nothing left to read.
  if (unreadable) return void res.destroy()
  if (attempt?.kind === 'redirect') {
    res.writeHead(302, attempt.headers).end()
    return
  }
  ;(req as HandedRequest)[HANDOVER] = { attempt, body }
  options.handOn(req, res)
}

function contentType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
}

type Handle = (request: Request, context: AppLoadContext) => Promise<Response>

export interface SignHandoverOptions {
  /** Remix's handler: the route answers what is not a plain signature. */
  handleRequest: Handle
  loadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext
  /** Writes the route's answer (compressed, as the app's other responses). */
  send: (req: ExpressRequest, res: ExpressResponse, response: Response) => Promise<void>
}

/**
 * Express's side of a sign POST the front handed on: the route renders its answer from the
 * attempt (nothing is counted twice) and the body already read. Any other request passes.
 */
export function signHandover({ handleRequest, loadContext, send }: SignHandoverOptions) {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const handover = (req as HandedRequest)[HANDOVER]
    if (!handover) return next()
    try {
      const context = loadContext(req, res)
      const request = createCappedRequest(req, res, handover.body)
      await send(req, res, await handleRequest(request, handover.attempt ? { ...context, signAttempt: handover.attempt } : context))
    } catch (error) {
      if (!res.headersSent) next(error)
    }
  }
}
