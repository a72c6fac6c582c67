import { sql } from 'kysely'
import { z } from 'zod'
import { emailIndex, open, seal } from '~/models/data-key.server'
import { queueEmail } from '~/models/email-outbox.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { collectSupporterData, eraseSupporterData, holdsSupporterData, type ErasureCounts, type SupporterData } from '~/models/supporter-data.server'
import { getDb } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import type { OutgoingEmail } from '~/utils/email.server'
import { emailFrom } from '~/utils/email-sender.server'
import { isLocale, type Locale } from '~/utils/i18n'
import { renderEmail } from '#emails/render'
import { generateToken, hashToken, rateLimitKey } from '~/utils/security.server'

// /my-data: a supporter sees, downloads or erases their own data, without an account.
// The answer to "email me a link" is the same whether or not the address is known.

export const MY_DATA_LINK_HOURS = 1

export const MyDataRequestSchema = z.object({
  email: z.string({ required_error: 'myData.error.email' }).trim().max(254, 'myData.error.email').pipe(z.string().email('myData.error.email')),
})

export type MyDataRequestOutcome = { status: 'sent' } | { status: 'rate-limited'; retryAfterSeconds: number }

/** Rate-limited like signing (per client); queues the link only when something is held for the address. */
export async function requestMyDataLink(email: string, ip: string, locale: Locale): Promise<MyDataRequestOutcome> {
  const env = getEnv()
  const limit = await hitRateLimit(`my-data:${rateLimitKey(ip)}`, { limit: env.SIGN_RATE_LIMIT, windowSeconds: env.SIGN_RATE_WINDOW_SECONDS })
  if (!limit.allowed) return { status: 'rate-limited', retryAfterSeconds: limit.retryAfterSeconds }
  if (!(await holdsSupporterData(email))) return { status: 'sent' }
  const token = generateToken()
  const sealed = await seal(null, email.trim())
  const index = await emailIndex(email)
  await getDb()
    .transaction()
    .execute(async (tx) => {
      const row = await tx
        .insertInto('data_requests')
        .values({
          token_hash: hashToken(token),
          email: sealed,
          email_index: index,
          locale,
          expires_at: sql`now() + make_interval(hours => ${MY_DATA_LINK_HOURS})`,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await queueEmail(tx, { template: 'my-data-link', payload: { requestId: row.id, token, locale }, locale, recipient: email.trim() })
    })
  return { status: 'sent' }
}

/** The outbox's renderer: the link, while it is still usable. */
export async function buildMyDataLinkEmail(requestId: string, token: string, locale: string): Promise<OutgoingEmail | null> {
  const row = await getDb()
    .selectFrom('data_requests')
    .select(['email'])
    .where('id', '=', requestId)
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
  if (!row) return null
  const lang = isLocale(locale) ? locale : 'en'
  const { APP_URL } = getEnv()
  const rendered = await renderEmail('my-data-link', { locale: lang, appUrl: APP_URL, linkUrl: `${APP_URL}/my-data/${token}?lang=${lang}` })
  return { to: await open(row.email), from: emailFrom(null), template: 'my-data-link', locale: lang, ...rendered }
}

function isPlausibleToken(token: string | undefined): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{20,100}$/.test(token)
}

async function usableRequest(token: string | undefined) {
  if (!isPlausibleToken(token)) return null
  return (
    (await getDb()
      .selectFrom('data_requests')
      .select(['id', 'email'])
      .where('token_hash', '=', hashToken(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', sql<Date>`now()`)
      .executeTakeFirst()) ?? null
  )
}

/** What a link shows: the address and everything held for it, or null when the link is unknown, used or expired. */
export async function getMyData(token: string | undefined): Promise<{ email: string; data: SupporterData } | null> {
  const request = await usableRequest(token)
  if (!request) return null
  const email = await open(request.email)
  return { email, data: await collectSupporterData(email) }
}

/** Erases every trace of the link's address and spends the link (single use). */
export async function eraseMyData(token: string | undefined): Promise<ErasureCounts | null> {
  const request = await usableRequest(token)
  if (!request) return null
  const spent = await getDb()
    .updateTable('data_requests')
    .set({ used_at: sql`now()`, email: '' })
    .where('id', '=', request.id)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  if (Number(spent.numUpdatedRows) !== 1) return null
  return await eraseSupporterData(await open(request.email), null)
}
