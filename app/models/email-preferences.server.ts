import { sql } from 'kysely'
import type { SuppressionReason, UnsubscribeSource } from '#db/types'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { getPublicCampaignById } from '~/models/campaign.server'
import { emailIndex, open, seal } from '~/models/data-key.server'
import { getDb, type Executor } from '~/utils/db.server'
import { isLocale, type Locale } from '~/utils/i18n'

// Who does not want (or must not get) an organisation's bulk email: unsubscribes, asked for by
// the person, and suppressions, forced by bounces, complaints or an organiser. Both are keyed by
// the blind index of the canonical email (decision 0040), so they outlive the signature. Rules: docs/decisions/0011.

export const UNSUBSCRIBE_SCOPES = ['campaign', 'organisation'] as const
export type UnsubscribeScope = (typeof UNSUBSCRIBE_SCOPES)[number]

export interface UnsubscribeTarget {
  signatureId: string
  /** The language the signer signed in: the page speaks it unless the link says otherwise. */
  signerLocale: Locale
  campaign: { id: string; slug: string; title: string; contentLocale: Locale; isPublic: boolean }
  organisation: { id: string; name: string }
  /** What already holds: this campaign (or everything) is off, or everything from the organisation is. */
  unsubscribed: { campaign: boolean; organisation: boolean }
}

/**
 * What the unsubscribe page needs about the signature a token names, or null when the signature
 * is gone (the supporter was removed: we hold no address to write to any more).
 */
export async function getUnsubscribeTarget(signatureId: string, locale: Locale, executor: Executor = getDb()): Promise<UnsubscribeTarget | null> {
  const signature = await executor
    .selectFrom('signatures as s')
    .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
    .select(['s.id', 's.email_index', 's.locale', 's.consent_updates', 's.campaign_id', 'c.organisation_id'])
    .where('s.id', '=', signatureId)
    .executeTakeFirst()
  if (!signature) return null
  const campaign = await getPublicCampaignById(signature.campaign_id, locale, executor)
  if (!campaign) return null
  const rows = await executor
    .selectFrom('email_unsubscribes')
    .select('campaign_id')
    .where('organisation_id', '=', signature.organisation_id)
    .where('email_index', '=', signature.email_index)
    .where((eb) => eb.or([eb('campaign_id', 'is', null), eb('campaign_id', '=', signature.campaign_id)]))
    .execute()
  const organisationWide = rows.some((r) => r.campaign_id === null)
  return {
    signatureId: signature.id,
    signerLocale: isLocale(signature.locale) ? signature.locale : 'en',
    campaign: {
      id: campaign.id,
      slug: campaign.slug,
      title: campaign.content.title,
      contentLocale: campaign.contentLocale,
      isPublic: campaign.status === 'live' || campaign.status === 'closed',
    },
    organisation: { id: campaign.organisation.id, name: campaign.organisation.name },
    unsubscribed: {
      campaign: organisationWide || rows.length > 0 || !signature.consent_updates,
      organisation: organisationWide,
    },
  }
}

export type UnsubscribeResult =
  { status: 'unsubscribed'; scope: UnsubscribeScope; alreadyUnsubscribed: boolean; signaturesUpdated: number } | { status: 'gone' }

/**
 * Unsubscribes the person behind a signature from this campaign's updates or from everything the
 * organisation sends, at once and idempotently: the unsubscribe is recorded by the address's blind index and
 * the matching signatures stop consenting to updates, in one transaction.
 */
export async function unsubscribe(signatureId: string, scope: UnsubscribeScope, source: UnsubscribeSource): Promise<UnsubscribeResult> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const signature = await tx
        .selectFrom('signatures as s')
        .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
        .select(['s.id', 's.email_index', 's.campaign_id', 'c.organisation_id'])
        .where('s.id', '=', signatureId)
        .executeTakeFirst()
      if (!signature) return { status: 'gone' } as const
      const inserted = await tx
        .insertInto('email_unsubscribes')
        .values({
          organisation_id: signature.organisation_id,
          email_index: signature.email_index,
          campaign_id: scope === 'campaign' ? signature.campaign_id : null,
          source,
        })
        // The unique index is on (organisation, email, coalesce(campaign_id, 0)): asking twice keeps the first.
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst()
      let update = tx
        .updateTable('signatures')
        .set({ consent_updates: false, updated_at: sql`now()` })
        .where('consent_updates', '=', true)
      update =
        scope === 'campaign'
          ? update.where('id', '=', signature.id)
          : update
              .where('email_index', '=', signature.email_index)
              .where('campaign_id', 'in', (eb) => eb.selectFrom('campaigns').select('id').where('organisation_id', '=', signature.organisation_id))
      const updated = await update.executeTakeFirst()
      return {
        status: 'unsubscribed',
        scope,
        alreadyUnsubscribed: !inserted,
        signaturesUpdated: Number(updated.numUpdatedRows),
      } as const
    })
}

// ---------------------------------------------------------------------------------------------
// Suppressions

/** Whether an organisation must not email this address (any spelling of it). */
export async function isSuppressed(organisationId: string, email: string, executor: Executor = getDb()): Promise<boolean> {
  const row = await executor
    .selectFrom('email_suppressions')
    .select('reason')
    .where('organisation_id', '=', organisationId)
    .where('email_index', '=', await emailIndex(email))
    .executeTakeFirst()
  return Boolean(row)
}

/**
 * Puts an address on an organisation's suppression list. Already there: kept as it is, except
 * that a bounce or complaint replaces a manual entry (which an organiser could otherwise lift).
 * Returns whether the list changed.
 */
export async function suppress(
  executor: Executor,
  input: { organisationId: string; email: string; reason: SuppressionReason; emailMessageId?: string | null },
): Promise<boolean> {
  const result = await executor
    .insertInto('email_suppressions')
    .values({
      organisation_id: input.organisationId,
      email_index: await emailIndex(input.email),
      email: await seal(input.organisationId, input.email.trim().toLowerCase()),
      reason: input.reason,
      email_message_id: input.emailMessageId ?? null,
    })
    .onConflict((oc) =>
      oc
        .columns(['organisation_id', 'email_index'])
        .doUpdateSet({ reason: (eb) => eb.ref('excluded.reason'), email_message_id: (eb) => eb.ref('excluded.email_message_id') })
        .where('email_suppressions.reason', '=', 'manual')
        .where('excluded.reason', '<>', 'manual'),
    )
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}

export const SUPPRESSIONS_PAGE_SIZE = 50

export interface SuppressionListItem {
  email: string
  reason: SuppressionReason
  createdAt: Date
}

/**
 * One page of an organisation's suppressed addresses, newest first; `query` is a whole address
 * (found through its blind index: the addresses themselves are sealed). An erased address shows
 * as '' but stays on the list.
 */
export async function listSuppressions(
  organisationId: string,
  { query = '', page = 1 }: { query?: string; page?: number } = {},
  executor: Executor = getDb(),
): Promise<{ items: SuppressionListItem[]; total: number; page: number; pageCount: number }> {
  let base = executor.selectFrom('email_suppressions').where('organisation_id', '=', organisationId)
  const needle = query.trim()
  if (needle) base = base.where('email_index', '=', await emailIndex(needle))
  const { total } = await base.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow()
  const count = Number(total)
  const pageCount = Math.max(1, Math.ceil(count / SUPPRESSIONS_PAGE_SIZE))
  const current = Math.min(Math.max(1, page), pageCount)
  const rows = await base
    .select(['email', 'reason', 'created_at'])
    .orderBy('created_at', 'desc')
    .orderBy('email_index')
    .limit(SUPPRESSIONS_PAGE_SIZE)
    .offset((current - 1) * SUPPRESSIONS_PAGE_SIZE)
    .execute()
  return {
    items: await Promise.all(rows.map(async (r) => ({ email: await open(r.email, executor), reason: r.reason, createdAt: r.created_at }))),
    total: count,
    page: current,
    pageCount,
  }
}

/** How many people asked for nothing more from the organisation at all. */
export async function countOrganisationUnsubscribes(organisationId: string, executor: Executor = getDb()): Promise<number> {
  const { count } = await executor
    .selectFrom('email_unsubscribes')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('organisation_id', '=', organisationId)
    .where('campaign_id', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(count)
}

type Organiser = AuditActor & { organisation: { id: string } }

/** An organiser adds an address by hand (someone asked by phone, say). The audit log names no address. */
export async function addManualSuppression(actor: Organiser, email: string): Promise<{ status: 'added' | 'exists' }> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const inserted = await tx
        .insertInto('email_suppressions')
        .values({
          organisation_id: actor.organisation.id,
          email_index: await emailIndex(email),
          email: await seal(actor.organisation.id, email.trim().toLowerCase()),
          reason: 'manual',
        })
        .onConflict((oc) => oc.columns(['organisation_id', 'email_index']).doNothing())
        .returning('email_index')
        .executeTakeFirst()
      if (!inserted) return { status: 'exists' } as const
      await recordAudit(tx, actor, { action: 'suppression.added', subjectType: 'suppression', changes: { reason: 'manual' } })
      return { status: 'added' } as const
    })
}

/**
 * Lifts a suppression an organiser added. Bounces and complaints stay: the address does not exist
 * or its owner reported the mail as spam, and mailing it again harms every campaign's delivery.
 */
export async function removeManualSuppression(actor: Organiser, email: string): Promise<{ status: 'removed' | 'not-found' | 'not-manual' }> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const row = await tx
        .selectFrom('email_suppressions')
        .select('reason')
        .where('organisation_id', '=', actor.organisation.id)
        .where('email_index', '=', await emailIndex(email))
        .forUpdate()
        .executeTakeFirst()
      if (!row) return { status: 'not-found' } as const
      if (row.reason !== 'manual') return { status: 'not-manual' } as const
      await tx
        .deleteFrom('email_suppressions')
        .where('organisation_id', '=', actor.organisation.id)
        .where('email_index', '=', await emailIndex(email))
        .execute()
      await recordAudit(tx, actor, { action: 'suppression.removed', subjectType: 'suppression', changes: { reason: 'manual' } })
      return { status: 'removed' } as const
    })
}
