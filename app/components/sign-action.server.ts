import { parseWithZod } from '@conform-to/zod'
import type { SubmissionResult } from '@conform-to/react'
import type { AppLoadContext } from '@remix-run/node'
import { isSignable, type PublicCampaign } from '~/models/campaign.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { SignCampaignServerSchema, signCampaign, type SignOutcome } from '~/models/signature.server'
import { getEnv } from '~/utils/env.server'
import { formErrorResult, readForm } from '~/utils/form.server'
import type { Locale } from '~/utils/i18n'
import { requestContext } from '~/utils/request.server'
import { rateLimitKey } from '~/utils/security.server'

export type SignAttempt =
  | { kind: 'refused'; status: 400 | 403 | 429; result: SubmissionResult<string[]>; retryAfterSeconds?: number }
  | { kind: 'signed'; email: string; outcome: SignOutcome; signatureId: string | null }

/**
 * What the campaign page and its embed do with a sign form: the rate limit before the body is
 * read (a refused client costs one query, not a parse), the form's rules, the campaign still
 * open, then signCampaign. `source` replaces the form's own source when the page knows better.
 */
export async function attemptSignature(
  request: Request,
  context: AppLoadContext,
  campaign: PublicCampaign,
  locale: Locale,
  { source }: { source?: (form: FormData) => string } = {},
): Promise<SignAttempt> {
  const ctx = requestContext(request, context)
  const env = getEnv()
  const limit = await hitRateLimit(`sign:${rateLimitKey(ctx.ip)}`, {
    limit: env.SIGN_RATE_LIMIT,
    windowSeconds: env.SIGN_RATE_WINDOW_SECONDS,
  })
  if (!limit.allowed) {
    return { kind: 'refused', status: 429, result: formErrorResult('sign.error.rateLimited'), retryAfterSeconds: limit.retryAfterSeconds }
  }
  const form = await readForm(request)
  const submission = parseWithZod(form, { schema: SignCampaignServerSchema })
  if (!isSignable(campaign)) return { kind: 'refused', status: 403, result: submission.reply({ formErrors: ['sign.error.closed'] }) }
  if (submission.status !== 'success') return { kind: 'refused', status: 400, result: submission.reply() }
  const input = source === undefined ? submission.value : { ...submission.value, source: source(form) }
  const signed = await signCampaign(campaign, input, { ...ctx, locale })
  return { kind: 'signed', email: submission.value.email, ...signed }
}
