import { createCookie } from '@remix-run/node'
import { z } from 'zod'
import { getEnv } from '~/utils/env.server'
import { purposeSecret } from '~/utils/security.server'

// Where the confirmation email went, for the check-your-email page: a signed,
// httpOnly, SameSite cookie for an hour. Never in a URL. Its path is the campaign's pages below
// /campaigns/<slug>/ (the page's own data requests end in `.data`), so it never reaches the
// campaign page itself, whose cached copy must hold nothing of any visitor (decision 0021).

const MAX_AGE_SECONDS = 60 * 60

const SentEmailSchema = z.object({
  /** The campaign signed. */
  c: z.string().regex(/^\d{1,18}$/),
  /** The address typed. */
  e: z.string().min(3).max(254),
  /** The signature this browser made, when it made a new one (only that one can be corrected). */
  s: z
    .string()
    .regex(/^\d{1,18}$/)
    .nullable(),
})

export type SentEmail = { campaignId: string; email: string; signatureId: string | null }

function cookieFor(slug: string) {
  const env = getEnv()
  return createCookie('chorus_sent', {
    path: `/campaigns/${encodeURIComponent(slug)}/`,
    httpOnly: true,
    sameSite: 'strict',
    secure: env.NODE_ENV === 'production' || env.APP_URL.startsWith('https://'),
    maxAge: MAX_AGE_SECONDS,
    secrets: [purposeSecret('sent-email-cookie')],
  })
}

export async function sentEmailCookieHeader(slug: string, sent: SentEmail): Promise<string> {
  return await cookieFor(slug).serialize({ c: sent.campaignId, e: sent.email, s: sent.signatureId })
}

/** The address this browser's confirmation went to for this campaign, if the cookie is valid. */
export async function readSentEmail(slug: string, campaignId: string, cookieHeader: string | null): Promise<SentEmail | null> {
  const parsed = SentEmailSchema.safeParse(await cookieFor(slug).parse(cookieHeader))
  if (!parsed.success || parsed.data.c !== campaignId) return null
  return { campaignId: parsed.data.c, email: parsed.data.e, signatureId: parsed.data.s }
}
