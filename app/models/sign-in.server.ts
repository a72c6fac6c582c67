import { sql } from 'kysely'
import { z } from 'zod'
import { renderEmail } from '#emails/render'
import { recordAudit } from '~/models/audit.server'
import { listMembershipsOfUser } from '~/models/membership.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { createSession } from '~/models/session.server'
import { getUserByEmail, normaliseUserEmail } from '~/models/user.server'
import { getDb } from '~/utils/db.server'
import type { OutgoingEmail } from '~/utils/email.server'
import { emailFrom } from '~/utils/email-sender.server'
import { getEnv } from '~/utils/env.server'
import { isLocale, LOCALES } from '~/utils/i18n'
import { enqueueJob } from '~/jobs/enqueue.server'
import { queueEmail } from '~/models/email-outbox.server'
import { generateToken, hashToken, rateLimitKey, signValue } from '~/utils/security.server'

export const SIGN_IN_TOKEN_MINUTES = 15
/** Links asked for per email address in an hour (per client address, signing's limit applies). */
export const SIGN_IN_LINKS_PER_EMAIL = 5

/**
 * Counts a sign-in request against the client's address (signing's limit, SIGN_RATE_LIMIT per
 * SIGN_RATE_WINDOW_SECONDS), before the form is read.
 */
export async function hitSignInAddressLimit(ip: string) {
  const env = getEnv()
  return await hitRateLimit(`admin-sign-in:ip:${rateLimitKey(ip)}`, {
    limit: env.SIGN_RATE_LIMIT,
    windowSeconds: env.SIGN_RATE_WINDOW_SECONDS,
  })
}

/**
 * Counts a sign-in request against the keyed hash of the email address: the same for known and
 * unknown addresses, so the limit reveals nothing either.
 */
export async function hitSignInEmailLimit(email: string) {
  return await hitRateLimit(`admin-sign-in:email:${signValue('sign-in-email', normaliseUserEmail(email))}`, {
    limit: SIGN_IN_LINKS_PER_EMAIL,
    windowSeconds: 3600,
  })
}

/** The job that looks the address up and makes the link (app/jobs/request-sign-in-link.server.ts). */
export const REQUEST_SIGN_IN_LINK_TASK = 'request-sign-in-link'
export const RequestSignInLinkPayload = z.object({
  email: z.string().max(254),
  next: z.string().max(1000).nullable(),
  locale: z.enum(LOCALES),
})
export type RequestSignInLinkInput = z.infer<typeof RequestSignInLinkPayload>

/**
 * Asks for a sign-in link: one job queued, the same single statement whether or not the address
 * belongs to anyone, so neither the answer nor its timing tells them apart (decision 0015). The
 * job looks the address up and makes the link (createSignInLink).
 */
export async function requestSignInLink(input: RequestSignInLinkInput) {
  await enqueueJob(getDb(), REQUEST_SIGN_IN_LINK_TASK, RequestSignInLinkPayload.parse(input), { maxAttempts: 5 })
}

/**
 * Emails a single-use sign-in link to the address when it belongs to a member of some
 * organisation; otherwise does nothing. Run by the job, never while a visitor waits.
 */
export async function createSignInLink({ email, next, locale }: RequestSignInLinkInput) {
  const user = await getUserByEmail(email)
  if (!user) return
  const memberships = await listMembershipsOfUser(user.id)
  if (memberships.length === 0) return
  const token = generateToken()
  await getDb()
    .transaction()
    .execute(async (tx) => {
      const row = await tx
        .insertInto('sign_in_tokens')
        .values({
          token_hash: hashToken(token),
          user_id: user.id,
          next_path: next,
          expires_at: sql<Date>`now() + make_interval(mins => ${SIGN_IN_TOKEN_MINUTES})`,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      // The token rides in the queued email's payload until it is rendered (decision 0005); only its hash is stored.
      await queueEmail(tx, { template: 'sign-in-link', payload: { signInTokenId: row.id, token, locale }, locale })
    })
}

/** The email for a queued sign-in link, or null when the link was used or has expired since. */
export async function buildSignInLinkEmail(signInTokenId: string, token: string, locale: string): Promise<OutgoingEmail | null> {
  const row = await getDb()
    .selectFrom('sign_in_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select(['u.email'])
    .where('t.id', '=', signInTokenId)
    .where('t.token_hash', '=', hashToken(token))
    .where('t.used_at', 'is', null)
    .where('t.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
  if (!row) return null
  const lang = isLocale(locale) ? locale : 'en'
  const { APP_URL } = getEnv()
  const rendered = await renderEmail('sign-in-link', {
    locale: lang,
    appUrl: APP_URL,
    signInUrl: `${APP_URL}/admin/sign-in/${token}?lang=${lang}`,
  })
  // Not one organisation's: a person may belong to several. Chorus's own From.
  return { to: row.email, from: emailFrom(null), template: 'sign-in-link', locale: lang, ...rendered }
}

/** Whether a link can still be used (for the page its GET shows; GETs sign nobody in). */
export async function isSignInTokenUsable(token: string): Promise<boolean> {
  if (!token) return false
  const row = await getDb()
    .selectFrom('sign_in_tokens')
    .select('id')
    .where('token_hash', '=', hashToken(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
  return Boolean(row)
}

export type SignInResult =
  | { status: 'signed-in'; sessionToken: string; next: string | null; email: string }
  /** The link was good but the person no longer belongs to any organisation: no session. */
  | { status: 'no-membership'; email: string }
  /** Used already, or expired. */
  | { status: 'spent' }
  | { status: 'invalid' }

/**
 * Uses a sign-in link: marks it used (one request wins, however many race) and starts a session
 * in the person's first organisation. Audited there.
 */
export async function signInWithToken(token: string, { userAgent }: { userAgent: string | null }): Promise<SignInResult> {
  if (!token) return { status: 'invalid' }
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const used = await tx
        .updateTable('sign_in_tokens')
        .set({ used_at: sql`now()` })
        .where('token_hash', '=', hashToken(token))
        .where('used_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .returning(['user_id', 'next_path'])
        .executeTakeFirst()
      if (!used) {
        const known = await tx.selectFrom('sign_in_tokens').select('id').where('token_hash', '=', hashToken(token)).executeTakeFirst()
        return { status: known ? 'spent' : 'invalid' } as const
      }
      const user = await tx.selectFrom('users').select(['id', 'email']).where('id', '=', used.user_id).executeTakeFirstOrThrow()
      const memberships = await listMembershipsOfUser(user.id, tx)
      const organisation = memberships[0]?.organisation
      if (!organisation) return { status: 'no-membership', email: user.email } as const
      const { token: sessionToken, session } = await createSession(tx, { userId: user.id, organisationId: organisation.id, userAgent })
      await recordAudit(tx, { user, organisation }, { action: 'session.signed_in', subjectType: 'session', subjectId: session.id })
      return { status: 'signed-in', sessionToken, next: used.next_path, email: user.email } as const
    })
}
