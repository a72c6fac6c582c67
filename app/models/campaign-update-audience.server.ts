import { sql } from 'kysely'
import { getDb, type Executor } from '~/utils/db.server'

// The audience of an update: who it goes to, in which language.

/**
 * Confirmed signers of the campaign who asked for updates, minus anyone unsubscribed from this
 * campaign or the whole organisation, or on the organisation's suppression list (matched on the
 * canonical email, so it outlives the signature). Removed signers are gone or blanked: skipped.
 */
export function audienceQuery(executor: Executor, campaignId: string) {
  return executor
    .selectFrom('signatures as s')
    .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
    .where('s.campaign_id', '=', campaignId)
    .where('s.state', '=', 'confirmed')
    .where('s.consent_updates', '=', true)
    .where('s.email', '<>', '')
    .where('s.email_index', '<>', '')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('email_unsubscribes as u')
            .select(sql`1`.as('one'))
            .whereRef('u.organisation_id', '=', 'c.organisation_id')
            .whereRef('u.email_index', '=', 's.email_index')
            .where((eb) => eb.or([eb('u.campaign_id', 'is', null), eb('u.campaign_id', '=', eb.ref('s.campaign_id'))])),
        ),
      ),
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('email_suppressions as x')
            .select(sql`1`.as('one'))
            .whereRef('x.organisation_id', '=', 'c.organisation_id')
            .whereRef('x.email_index', '=', 's.email_index'),
        ),
      ),
    )
}

/** How many signers an update to this campaign would reach now. */
export async function countUpdateAudience(campaignId: string, executor: Executor = getDb()): Promise<number> {
  const row = await audienceQuery(executor, campaignId)
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow()
  return row.n
}

/**
 * The language each recipient gets: their own when the update has it, else the campaign's base
 * language, else the first the update has. Null when the update has no translation at all.
 */
export async function recipientLocaleChoice(executor: Executor, updateId: string) {
  const rows = await executor
    .selectFrom('campaign_update_translations as t')
    .innerJoin('campaign_updates as u', 'u.id', 't.update_id')
    .innerJoin('campaigns as c', 'c.id', 'u.campaign_id')
    .select(['t.locale', 'c.locale as base'])
    .where('t.update_id', '=', updateId)
    .where('t.subject', '<>', '')
    .orderBy('t.locale')
    .execute()
  if (rows.length === 0) return null
  const available = rows.map((r) => r.locale)
  const fallback = available.includes(rows[0]!.base) ? rows[0]!.base : available[0]!
  return { available, fallback }
}

/** The same choice, for one signer (tests and the workspace preview use it). */
export function localeFor(signerLocale: string, choice: { available: string[]; fallback: string }): string {
  return choice.available.includes(signerLocale) ? signerLocale : choice.fallback
}
