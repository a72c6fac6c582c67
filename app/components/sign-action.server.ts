import type { SubmissionResult } from '@conform-to/react'
import type { AppLoadContext } from '@remix-run/node'
import { isSignable } from '~/models/campaign.server'
import { findSigningCampaign, type SigningCampaign } from '~/models/signing-campaign.server'
import { hitRateLimit, peekRateLimit } from '~/models/rate-limit.server'
import { SignCampaignServerSchema, signCampaignFromForm, type SignOutcome } from '~/models/signature.server'
import { getEnv } from '~/utils/env.server'
import { formErrorResult, parseSubmission, readForm } from '~/utils/form.server'
import type { Locale } from '~/utils/i18n'
import { requestContext } from '~/utils/request.server'
import { NO_STORE } from '~/utils/http.server'
import { getLocale } from '~/utils/locale.server'
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

/**
 * What the campaign page and its embed do with a sign form. The rate limit is looked at before
 * the body is read, alongside the campaign (a refused client costs one query, not a parse); the
 * hit itself is counted with the signature, in its one statement (decision 0020). Then the
 * form's rules, the campaign still open, and the signature. `source` replaces the form's own
 * source when the page knows better.
 */
export async function attemptSignature(
  request: Request,
  context: AppLoadContext,
  campaignPromise: SigningCampaign | Promise<SigningCampaign>,
  locale: Locale,
  { source }: { source?: (form: FormData) => string } = {},
): Promise<SignAttempt> {
  const ctx = requestContext(request, context)
  const env = getEnv()
  const rate = { bucket: `sign:${rateLimitKey(ctx.ip)}`, limit: env.SIGN_RATE_LIMIT, windowSeconds: env.SIGN_RATE_WINDOW_SECONDS }
  const rateLimited = (retryAfterSeconds: number): SignAttempt => ({
    kind: 'refused',
    status: 429,
    result: formErrorResult('sign.error.rateLimited'),
    retryAfterSeconds,
  })
  const [campaign, look] = await Promise.all([campaignPromise, peekRateLimit(rate.bucket, rate)])
  if (!look.allowed) return rateLimited(look.retryAfterSeconds)
  const form = await readForm(request)
  const submission = parseSubmission(form, SignCampaignServerSchema)
  if (!isSignable(campaign) || submission.status !== 'success') {
    // A refused attempt counts against the limit as a signature does.
    await hitRateLimit(rate.bucket, rate)
    if (!isSignable(campaign)) return { kind: 'refused', status: 403, result: submission.reply({ formErrors: ['sign.error.closed'] }) }
    return { kind: 'refused', status: 400, result: submission.reply() }
  }
  const input = source === undefined ? submission.value : { ...submission.value, source: source(form) }
  const signed = await signCampaignFromForm(campaign, input, { ...ctx, locale }, rate)
  if (signed.outcome === 'rate-limited') return rateLimited(signed.retryAfterSeconds)
  // Closed between the campaign's read and the signature (the statement checks it again).
  if (signed.outcome === 'closed') return { kind: 'refused', status: 403, result: submission.reply({ formErrors: ['sign.error.closed'] }) }
  return { kind: 'signed', email: submission.value.email, ...signed }
}

/** Where a signer goes from the campaign page: the page that shows where the email went. */
export async function signedRedirect(campaign: { id: string; slug: string }, attempt: Extract<SignAttempt, { kind: 'signed' }>): Promise<Response> {
  // The next page shows the address from a cookie only that page receives (never the URL).
  const cookie = await sentEmailCookieHeader(campaign.slug, {
    campaignId: campaign.id,
    email: attempt.email,
    signatureId: attempt.outcome === 'created' ? attempt.signatureId : null,
  })
  // An explicit fragment: otherwise browsers carry the form's #sign over the redirect.
  return new Response(null, {
    status: 302,
    headers: { Location: `/campaigns/${campaign.slug}/check-your-email#main`, 'Cache-Control': NO_STORE, 'Set-Cookie': cookie },
  })
}

/**
 * The campaign page's sign form posted without JavaScript, answered before the framework sees
 * it (decision 0020): the redirect when it signed, the refused attempt for the page to show,
 * or null for whatever else the route answers (a campaign not there, a body that is no form).
 */
export async function answerSignPost(request: Request, context: AppLoadContext, slug: string): Promise<Response | SignAttempt | null> {
  // The campaign as signing needs it, read once for many signatures (models/signing-campaign),
  // alongside the rate limit's look. One that is not there (or an old slug) is the route's.
  const campaign = findSigningCampaign(slug).then((found) => found ?? Promise.reject(new Error('no campaign to sign at this address')))
  campaign.catch(() => {})
  const locale = await getLocale(request)
  let attempt: SignAttempt
  try {
    attempt = await attemptSignature(request, context, campaign, locale)
  } catch {
    // No campaign here, a body that is not a form: what the route answers (it will throw the
    // same, before counting anything), so the route answers it.
    return null
  }
  if (attempt.kind === 'refused') return attempt
  return await signedRedirect(await campaign, attempt)
}
