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

const sentCookie = signedCookie('chorus_sent', 'sent-email-cookie', { httpOnly: true, sameSite: 'strict', maxAge: MAX_AGE_SECONDS })

export async function sentEmailCookieHeader(slug: string, sent: SentEmail): Promise<string> {
  return await sentCookie().serialize(seal({ c: sent.campaignId, e: sent.email, s: sent.signatureId }), {
    path: `/campaigns/${encodeURIComponent(slug)}/`,
    secure: secureCookies(),
  })
}

/** The address this browser's confirmation went to for this campaign, if the cookie is valid. */
export async function readSentEmail(campaignId: string, cookieHeader: string | null): Promise<SentEmail | null> {
  const parsed = SentEmailSchema.safeParse(unseal(await sentCookie().parse(cookieHeader)))
  if (!parsed.success || parsed.data.c !== campaignId) return null
  return { campaignId: parsed.data.c, email: parsed.data.e, signatureId: parsed.data.s }
}
