import type { AppLoadContext } from '@remix-run/node'
import type { Request as ExpressRequest, Response as ExpressResponse, NextFunction } from 'express'
import { answerSignPost } from '../app/components/sign-action.server'
import { createCappedRequest } from './web-request'

// A surge is mostly people signing without JavaScript (a shared link, a phone): their form post
// is answered here, before the framework, as the page cache answers their GET (decision 0020).
// The same code signs (attemptSignature: the rate limit looked at before the body is parsed,
// one statement) and the same redirect goes out. What is not a plain signature is the route's:
// a refusal (shown by the page, from the attempt carried in the context, so nothing is counted
// twice), a campaign that is not there, a post with a query string (JavaScript's).

/** `/campaigns/<slug>` exactly, no query string: the campaign page's own form. */
const SIGN_PATH = /^\/campaigns\/([a-z0-9-]{1,200})$/

type Handle = (request: Request, context: AppLoadContext) => Promise<Response>

export interface SignFastPathOptions {
  /** Remix's handler: what is not a plain signature is answered by the route. */
  handleRequest: Handle
  loadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext
  send: (res: ExpressResponse, response: Response) => Promise<void>
}

export function signFastPath({ handleRequest, loadContext, send }: SignFastPathOptions) {
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const slug = SIGN_PATH.exec(req.originalUrl)?.[1]
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    if (!slug || type !== 'application/x-www-form-urlencoded') return next()
    try {
      // The body streams in only when the form is read, after the rate limit's look (a refused
      // client's body is never waited for); what was read is kept for the route, if it answers.
      const read: Uint8Array[] = []
      const request = createCappedRequest(req, res, (chunk) => read.push(chunk))
      const context = loadContext(req, res)
      const answer = await answerSignPost(request, context, slug)
      if (res.headersSent) return // the 413, while the form was read
      if (answer instanceof Response) return await send(res, answer)
      const again = request.bodyUsed
        ? new Request(request.url, { method: 'POST', headers: request.headers, body: Buffer.concat(read), signal: request.signal })
        : request
      await send(res, await handleRequest(again, answer ? { ...context, signAttempt: answer } : context))
    } catch (error) {
      if (!res.headersSent) next(error)
    }
  }
}
