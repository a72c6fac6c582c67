import type { SubmissionResult } from '@conform-to/react'
import type { AppLoadContext } from '@remix-run/node'
import { isSignable } from '~/models/campaign.server'
import { findSigningCampaign, type SigningCampaign } from '~/models/signing-campaign.server'
import { hitRateLimit, lookRateLimit } from '~/models/rate-limit.server'
import { SignCampaignServerSchema, signCampaignFromForm, type SignOutcome } from '~/models/signature.server'
import { getEnv } from '~/utils/env.server'
import { formErrorResult, parseSubmission, parseValidTextForm, readForm } from '~/utils/form.server'
import type { Locale } from '~/utils/i18n'
import { requestContext } from '~/utils/request.server'
import { NO_STORE } from '~/utils/http.server'
import { rateLimitKey } from '~/utils/security.server'
import { sentEmailCookieHeader } from '~/utils/sent-email-cookie.server'

declare module '@remix-run/node' {
  interface AppLoadContext {
    /** A signature the server's fast path already attempted and refused (server/sign-fast-path.ts): the route shows it. */
    signAttempt?: SignAttempt
  }
}

export type SignAttempt =
  | { kind: 'refused'; status: 400 | 403 | 429; result: SubmissionResult<string[]>; retryAfterSeconds?: number }
  | { kind: 'signed'; email: string; outcome: SignOutcome; signatureId: string | null }

/** A sign form's post as signing needs it: who sent it, and its body, read only when asked. */
export interface SignPost {
  /** The client's address as the server entry determined it (honouring TRUST_PROXY). */
  ip: string
  userAgent: string | null
  /** The body's fields: read only once the rate limit lets the client through. */
  readForm: () => Promise<FormData | URLSearchParams>
}

/**
 * What the campaign page and its embed do with a sign form. The rate limit is looked at before
 * the body is read, in what this process learnt from its own hits (no query: a refused client
 * costs no parse, and a signer within the limit nothing at all); the hit itself is counted with
 * the signature, in its one statement, and checked again there (decision 0020). Then the form's
 * rules, the campaign still open, and the signature. `source` replaces the form's own source
 * when the page knows better.
 */
export async function attemptSignature(
  request: Request,
  context: AppLoadContext,
  campaignPromise: SigningCampaign | Promise<SigningCampaign>,
  locale: Locale,
  options: { source?: (form: FormData | URLSearchParams) => string } = {},
): Promise<SignAttempt> {
  const post: SignPost = { ...requestContext(request, context), readForm: () => readForm(request) }
  return await attemptSignPost(post, campaignPromise, locale, options)
}

/** attemptSignature for a post read without a web Request (the server's fast path). */
export async function attemptSignPost(
  post: SignPost,
  campaignPromise: SigningCampaign | Promise<SigningCampaign>,
  locale: Locale,
  { source }: { source?: (form: FormData | URLSearchParams) => string } = {},
): Promise<SignAttempt> {
  const env = getEnv()
  const rate = { bucket: `sign:${rateLimitKey(post.ip)}`, limit: env.SIGN_RATE_LIMIT, windowSeconds: env.SIGN_RATE_WINDOW_SECONDS }
  const rateLimited = (retryAfterSeconds: number): SignAttempt => ({
    kind: 'refused',
    status: 429,
    result: formErrorResult('sign.error.rateLimited'),
    retryAfterSeconds,
  })
  const look = lookRateLimit(rate.bucket, rate)
  if (!look.allowed) return rateLimited(look.retryAfterSeconds)
  // The campaign first (kept in memory: no wait in a surge), then the body: one that is not there
  // leaves the body unread, for the route that answers it.
  const campaign = await campaignPromise
  const form = await post.readForm()
  // A valid form is read without Conform (parseValidTextForm); Conform answers anything else, and
  // gives the form's reply whenever one is needed.
  const valid = parseValidTextForm(form, SignCampaignServerSchema)
  const submission = valid === null ? parseSubmission(form, SignCampaignServerSchema) : null
  const value = valid ?? (submission?.status === 'success' ? submission.value : null)
  const submitted = () => submission ?? parseSubmission(form, SignCampaignServerSchema)
  if (!isSignable(campaign) || value === null) {
    // A refused attempt counts against the limit as a signature does.
    await hitRateLimit(rate.bucket, rate)
    if (!isSignable(campaign)) return { kind: 'refused', status: 403, result: submitted().reply({ formErrors: ['sign.error.closed'] }) }
    return { kind: 'refused', status: 400, result: submitted().reply() }
  }
  const input = source === undefined ? value : { ...value, source: source(form) }
  const signed = await signCampaignFromForm(campaign, input, { ip: post.ip, userAgent: post.userAgent, locale }, rate)
  if (signed.outcome === 'rate-limited') return rateLimited(signed.retryAfterSeconds)
  // Closed between the campaign's read and the signature (the statement checks it again).
  if (signed.outcome === 'closed') return { kind: 'refused', status: 403, result: submitted().reply({ formErrors: ['sign.error.closed'] }) }
  return { kind: 'signed', email: value.email, ...signed }
}

/** The headers of the redirect a signer gets from the campaign page: to the page that shows where the email went. */
export async function signedRedirectHeaders(
  campaign: { id: string; slug: string },
  attempt: Extract<SignAttempt, { kind: 'signed' }>,
): Promise<Record<string, string>> {
  // The next page shows the address from a cookie only that page receives (never the URL).
  const cookie = await sentEmailCookieHeader(campaign.slug, {
    campaignId: campaign.id,
    email: attempt.email,
    signatureId: attempt.outcome === 'created' ? attempt.signatureId : null,
  })
  // An explicit fragment: otherwise browsers carry the form's #sign over the redirect.
  return { Location: `/campaigns/${campaign.slug}/check-your-email#main`, 'Cache-Control': NO_STORE, 'Set-Cookie': cookie }
}

/** Where a signer goes from the campaign page (signedRedirectHeaders as a Response). */
export async function signedRedirect(campaign: { id: string; slug: string }, attempt: Extract<SignAttempt, { kind: 'signed' }>): Promise<Response> {
  return new Response(null, { status: 302, headers: await signedRedirectHeaders(campaign, attempt) })
}

/** The fast path's answer when it signed: the 302's headers, for the server to write. */
export type SignedAnswer = { kind: 'redirect'; headers: Record<string, string> }

/**
 * The campaign page's sign form posted without JavaScript, answered before the framework sees
 * it (decision 0020): the redirect when it signed, the refused attempt for the page to show,
 * or null for whatever else the route answers (a campaign not there, a body that is no form).
 * `locale` is the one getLocale would choose (the fast path takes no query string).
 */
export async function answerSignPost(post: SignPost, slug: string, locale: Locale): Promise<SignedAnswer | SignAttempt | null> {
  // The campaign as signing needs it, read once for many signatures (models/signing-campaign),
  // before the body is read. One that is not there (or an old slug) is the route's.
  const campaign = findSigningCampaign(slug).then((found) => found ?? Promise.reject(new Error('no campaign to sign at this address')))
  campaign.catch(() => {})
  let attempt: SignAttempt
  try {
    attempt = await attemptSignPost(post, campaign, locale)
  } catch {
    // No campaign here, a body that is not a form: what the route answers (it will throw the
    // same, before counting anything), so the route answers it.
    return null
  }
  if (attempt.kind === 'refused') return attempt
  return { kind: 'redirect', headers: await signedRedirectHeaders(await campaign, attempt) }
}
