import { createCookie, type Cookie, type CookieOptions } from '@remix-run/node'
import { z } from 'zod'
import { getEnv } from '~/utils/env.server'
import { purposeSecret } from '~/utils/security.server'

// Every cookie Chorus sets is made here with Remix's createCookie (decision 0046), except the
// session's (app/http/auth.server.ts) and the sent-email one (its own module): names and
// attributes never change, because browsers already carry them.

/** Cookies are Secure whenever the site is served over https (and always in production). */
export function secureCookies(): boolean {
  const env = getEnv()
  return env.NODE_ENV === 'production' || env.APP_URL.startsWith('https://')
}

/**
 * A cookie signed with one purpose's secret, made once per secret (in practice once), not per
 * request: the path and Secure are given when it is set.
 */
export function signedCookie(name: string, purpose: string, options: Omit<CookieOptions, 'secrets'>): () => Cookie {
  let made: { secret: string; cookie: Cookie } | null = null
  return () => {
    const secret = purposeSecret(purpose)
    if (made?.secret !== secret) made = { secret, cookie: createCookie(name, { ...options, secrets: [secret] }) }
    return made.cookie
  }
}

const PLAIN_TOKEN = /^[\w-]{1,200}$/

/**
 * For cookies whose value is one URL-safe token (the language, the session): the value stays on
 * the wire as it always was (`chorus_lang=ru`) instead of createCookie's base64 JSON, so cookies
 * browsers already hold keep working. createCookie hands `encode` its base64 JSON and feeds what
 * `decode` returns to its base64 JSON reader; anything but a plain token reads as absent (null).
 */
export const plainTokenValue: Pick<CookieOptions, 'encode' | 'decode'> = {
  encode(encoded) {
    if (encoded === '') return ''
    const value: unknown = JSON.parse(atob(encoded))
    if (typeof value !== 'string' || !PLAIN_TOKEN.test(value)) throw new TypeError('A plain-token cookie holds one URL-safe token')
    return value
  },
  decode(raw) {
    return btoa(PLAIN_TOKEN.test(raw) ? JSON.stringify(raw) : 'null')
  },
}

/** The language switcher's choice, for a year. */
export const localeCookie = createCookie('chorus_lang', { path: '/', maxAge: 365 * 24 * 60 * 60, sameSite: 'lax', httpOnly: true, ...plainTokenValue })

// The donor prefill cookie: a short-lived signed cookie, scoped to the campaign's pages, naming the
// signature just confirmed, so the donate page can fill in the supporter's name and email (and the
// thank-you page count them) without putting anything in a URL.

const DONOR_SECONDS = 60 * 60
const DonorSchema = z.object({ s: z.string().regex(/^\d{1,18}$/), x: z.number().int() })

const donorCookie = signedCookie('chorus_donor', 'donor-prefill-cookie', { maxAge: DONOR_SECONDS, sameSite: 'lax', httpOnly: true })

/** Set-Cookie value naming a signature just confirmed on this campaign, for an hour. */
export async function donorCookieHeader(signatureId: string, campaignSlug: string, now = Date.now()): Promise<string> {
  const value: z.infer<typeof DonorSchema> = { s: signatureId, x: Math.floor(now / 1000) + DONOR_SECONDS }
  return await donorCookie().serialize(value, { path: `/campaigns/${encodeURIComponent(campaignSlug)}`, secure: secureCookies() })
}

/** The signature a valid, unexpired donor cookie names, or null. */
export async function donorSignatureId(cookieHeader: string | null, now = Date.now()): Promise<string | null> {
  const parsed = DonorSchema.safeParse(await donorCookie().parse(cookieHeader))
  if (!parsed.success || parsed.data.x * 1000 < now) return null
  return parsed.data.s
}
