import type { AppLoadContext } from '@remix-run/node'
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express'
import { answerSignPost, type SignPost } from '../app/components/sign-action.server'
import { fieldsOfUrlEncoded } from '../app/utils/form.server'
import { localeOfCookie, resolveLocale } from '../app/utils/locale.server'
import { readCappedBody, refuseTooLarge } from './body-limit'
import { createCappedRequest } from './web-request'

// A surge is mostly people signing without JavaScript (a shared link, a phone): their form post
// is answered here, before the framework, as the page cache answers their GET (decision 0020).
// The same code signs (attemptSignPost: the rate limit looked at before the body is read, one
// statement) and the same redirect goes out, written straight to the socket: no web Request or
// Response is built for a signature. What is not a plain signature is the route's: a refusal
// (shown by the page, from the attempt carried in the context, so nothing is counted twice), a
// campaign that is not there, a post with a query string (JavaScript's).

/** `/campaigns/<slug>` exactly, no query string: the campaign page's own form. */
const SIGN_PATH = /^\/campaigns\/([a-z0-9-]{1,200})$/

type Handle = (request: Request, context: AppLoadContext) => Promise<Response>

export interface SignFastPathOptions {
  /** Remix's handler: what is not a plain signature is answered by the route. */
  handleRequest: Handle
  loadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext
  /** Writes the route's answer (compressed, as the app's other responses). */
  send: (req: ExpressRequest, res: ExpressResponse, response: Response) => Promise<void>
}

export function signFastPath({ handleRequest, loadContext, send }: SignFastPathOptions) {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const slug = SIGN_PATH.exec(req.originalUrl)?.[1]
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    if (!slug || type !== 'application/x-www-form-urlencoded') return next()
    try {
      const context = loadContext(req, res)
      // The body streams in only when the form is read, after the rate limit's look (a refused
      // client's body is never waited for); what was read is kept for the route, if it answers.
      let body: Buffer<ArrayBuffer> | undefined
      let unreadable = false
      const post: SignPost = {
        ip: context.ip || '0.0.0.0',
        userAgent: req.headers['user-agent'] ?? null,
        readForm: async () => {
          try {
            body = await readCappedBody(req, res.locals.bodyLimit as number, () => refuseTooLarge(req, res))
          } catch (error) {
            unreadable = true
            throw error
          }
          return fieldsOfUrlEncoded(body)
        },
      }
      // As getLocale chooses: this path has no query string, so the cookie, then Accept-Language.
      const locale = resolveLocale(null, await localeOfCookie(req.headers.cookie), req.headers['accept-language'] ?? null)
      const answer = await answerSignPost(post, slug, locale)
      if (res.headersSent) return // the 413, while the body was read
      // The client went away mid-body: there is no one to answer, and nothing left to read.
      if (unreadable) return void res.destroy()
      if (answer?.kind === 'redirect') {
        res.writeHead(302, answer.headers).end()
        return
      }
      const request = createCappedRequest(req, res, body)
      await send(req, res, await handleRequest(request, answer ? { ...context, signAttempt: answer } : context))
    } catch (error) {
      if (!res.headersSent) next(error)
    }
  }
}
