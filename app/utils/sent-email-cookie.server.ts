import crypto from 'node:crypto'
import { z } from 'zod'
import { secureCookies, signedCookie } from '~/utils/cookies.server'
import { randomBytes } from '~/utils/random.server'
import { purposeSecret } from '~/utils/security.server'

// Where the confirmation email went, for the check-your-email page: a signed,
// httpOnly, SameSite cookie for an hour. Never in a URL. Its path is the campaign's pages below
// /campaigns/<slug>/ (the page's own data requests end in `.data`), so it never reaches the
// campaign page itself, whose cached copy must hold nothing of any visitor (decision 0021).
// Its content is encrypted and of one length whether a new signature was made or not: anyone may
// type someone else's address, and a readable "no new signature" would tell that it had signed.

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

/** Signature ids are at most 18 digits; zero (never an id) stands for none, so every cookie is as long. */
const ID_WIDTH = 18
const NO_SIGNATURE = '0'.repeat(ID_WIDTH)

let derived: { secret: string; key: Buffer } | null = null

/** The cookie's AES key, derived once per secret (not once per signature). */
function cookieKey(): Buffer {
  const secret = purposeSecret('sent-email-cookie-key')
  if (derived?.secret !== secret) derived = { secret, key: crypto.createHash('sha256').update(secret).digest() }
  return derived.key
}

function seal(value: z.infer<typeof SentEmailSchema>): string {
  const iv = randomBytes(12)
  const cipher = crypto.createCipheriv('aes-256-gcm', cookieKey(), iv)
  const plain = JSON.stringify({ c: value.c, e: value.e, s: value.s === null ? NO_SIGNATURE : value.s.padStart(ID_WIDTH, '0') })
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')
}

function unseal(value: unknown): unknown {
  if (typeof value !== 'string' || value.length > 2048) return null
  try {
    const bytes = Buffer.from(value, 'base64url')
    const decipher = crypto.createDecipheriv('aes-256-gcm', cookieKey(), bytes.subarray(0, 12))
    decipher.setAuthTag(bytes.subarray(12, 28))
    const parsed = JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as { s?: unknown }
    if (typeof parsed.s !== 'string') return null
    const id = parsed.s.replace(/^0+/, '')
    return { ...parsed, s: id === '' ? null : id }
  } catch {
    return null
  }
}

const COOKIE_NAME = 'chorus_sent'

/**
 * Until 2 December the sealed value was also signed, as a Remix signed cookie (base64 JSON, a dot,
 * an HMAC). The seal is authenticated already (AES-GCM's tag): a changed value does not open. The
 * cookie is now the sealed value as it is, built here without Remix's encoding and second
 * signature (about a twentieth of what a sign POST allocated, decision 0050). Cookies set the old
 * way are still read, for their hour.
 */
const legacyCookie = signedCookie(COOKIE_NAME, 'sent-email-cookie', { httpOnly: true, sameSite: 'strict', maxAge: MAX_AGE_SECONDS })

export async function sentEmailCookieHeader(slug: string, sent: SentEmail): Promise<string> {
  const value = seal({ c: sent.campaignId, e: sent.email, s: sent.signatureId })
  const expires = new Date(Date.now() + MAX_AGE_SECONDS * 1000).toUTCString()
  // base64url needs no escaping in a cookie; a slug is lower-case letters, digits and hyphens.
  const path = `/campaigns/${encodeURIComponent(slug)}/`
  return `${COOKIE_NAME}=${value}; Max-Age=${MAX_AGE_SECONDS}; Path=${path}; Expires=${expires}; HttpOnly;${secureCookies() ? ' Secure;' : ''} SameSite=Strict`
}

/** This cookie's value in a Cookie header (the first, as the browser sends the most specific path first). */
function cookieValue(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null
  for (const part of cookieHeader.split(';')) {
    const pair = part.trim()
    if (pair.startsWith(`${COOKIE_NAME}=`)) return pair.slice(COOKIE_NAME.length + 1)
  }
  return null
}

/** The address this browser's confirmation went to for this campaign, if the cookie is valid. */
export async function readSentEmail(campaignId: string, cookieHeader: string | null): Promise<SentEmail | null> {
  const value = cookieValue(cookieHeader)
  if (value === null || value.length > 4096) return null
  // A sealed value is base64url; the old signed cookie's holds a dot (or is percent-encoded).
  const sealed = /^[\w-]+$/.test(value) ? value : await legacyCookie().parse(cookieHeader)
  const parsed = SentEmailSchema.safeParse(unseal(sealed))
  if (!parsed.success || parsed.data.c !== campaignId) return null
  return { campaignId: parsed.data.c, email: parsed.data.e, signatureId: parsed.data.s }
}
