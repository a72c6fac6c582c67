import { sql } from 'kysely'
import { open, recipientIndex } from '~/models/data-key.server'
import type { RetentionPolicy } from '~/models/retention-policy.server'
import { eraseGiftContacts, eraseSignatureContacts, redactEmails } from '~/models/supporter-data.server'
import { awaitsConfirmationSql } from '~/models/signature-state'
import { getDb, type Executor, type Tx } from '~/utils/db.server'

// Erasure on schedule (decision 0045): each organisation's retention settings say how long
// signers', unconfirmed signers' and donors' contact details are kept. What the counts, charts and
// accounts read (state, country, day, source; amounts, dates, Stripe ids) stays.

export const RETENTION_KINDS = ['signers', 'unconfirmed', 'gifts'] as const
export type RetentionKind = (typeof RETENTION_KINDS)[number]
export type RetentionCounts = Record<RetentionKind, number>

export const RETENTION_BATCH_SIZE = 500

interface OrganisationPolicy extends RetentionPolicy {
  id: string
}

type Progress = (message: string, detail: { organisationId: string; kind: RetentionKind; erased: number; total: number }) => void

/** Rows due, locked for this batch; rows another run holds are skipped, so two runs never wait on each other. */
async function dueBatch(tx: Tx, kind: RetentionKind, org: OrganisationPolicy, limit: number): Promise<string[]> {
  if (kind === 'signers') {
    // Every signature of a campaign closed longer ago than the organisation keeps them.
    const { rows } = await sql<{ id: string }>`
      select s.id from signatures s join campaigns c on c.id = s.campaign_id
      where c.organisation_id = ${org.id} and c.status = 'closed'
        and coalesce(c.closed_at, c.closes_at, c.updated_at) < now() - make_interval(months => ${org.signerMonths})
        and s.contact_erased_at is null
      order by s.id limit ${limit} for update of s skip locked`.execute(tx)
    return rows.map((r) => r.id)
  }
  if (kind === 'unconfirmed') {
    // Never confirmed, pending or held alike: a held one a reviewer released would be pending and due.
    const { rows } = await sql<{ id: string }>`
      select s.id from signatures s join campaigns c on c.id = s.campaign_id
      where c.organisation_id = ${org.id} and ${awaitsConfirmationSql('s')}
        and s.created_at < now() - make_interval(days => ${org.unconfirmedDays})
        and s.contact_erased_at is null
      -- Oldest first: read from signatures_retention_idx, whose predicate this one implies (decision 0049).
      order by s.created_at, s.id limit ${limit} for update of s skip locked`.execute(tx)
    return rows.map((r) => r.id)
  }
  // A gift's age is that of its last payment; a running monthly gift is never due.
  const { rows } = await sql<{ id: string }>`
    select d.id from donations d join campaigns c on c.id = d.campaign_id
    where c.organisation_id = ${org.id} and d.contact_erased_at is null
      and not (d.frequency = 'monthly' and d.status in ('active', 'past_due'))
      and coalesce((select max(p.paid_at) from donation_payments p where p.donation_id = d.id), d.created_at)
          < now() - make_interval(years => ${org.financialYears})
    order by d.id limit ${limit} for update of d skip locked`.execute(tx)
  return rows.map((r) => r.id)
}

/** The receipts of these gifts lose address and bodies; a later gift's receipt to the same address stays. */
async function redactReceipts(tx: Tx, donationIds: string[], financialYears: number): Promise<void> {
  const gifts = await tx.selectFrom('donations').select(['campaign_id', 'donor_email']).where('id', 'in', donationIds).execute()
  const byCampaign = new Map<string, Set<string>>()
  for (const gift of gifts) {
    if (!gift.donor_email) continue
    const indexes = byCampaign.get(gift.campaign_id) ?? new Set<string>()
    indexes.add(await recipientIndex(await open(gift.donor_email, tx)))
    byCampaign.set(gift.campaign_id, indexes)
  }
  for (const [campaignId, indexes] of byCampaign) {
    await tx
      .updateTable('email_messages')
      .set({ recipient: 'redacted', recipient_index: null, html: null, text: null, payload: null, error: null, updated_at: sql`now()` })
      .where('campaign_id', '=', campaignId)
      .where('template', '=', 'donation-receipt')
      .where('recipient_index', 'in', [...indexes])
      .where('created_at', '<', sql<Date>`now() - make_interval(years => ${financialYears})`)
      .execute()
  }
}

async function eraseBatch(tx: Tx, kind: RetentionKind, org: OrganisationPolicy, ids: string[]): Promise<void> {
  if (kind === 'gifts') {
    await redactReceipts(tx, ids, org.financialYears)
    await eraseGiftContacts(tx, ids)
    return
  }
  // Only the emails about these signatures: the same person's emails about another campaign stay.
  await redactEmails(tx, ids, [])
  await eraseSignatureContacts(tx, ids)
}

/**
 * The run's audit entry for an organisation, written in the same transaction as each batch it
 * counts: a run that stops half-way has recorded exactly what it erased.
 */
async function countInAudit(tx: Tx, organisationId: string, auditId: string | null, kind: RetentionKind, erased: number): Promise<string> {
  if (auditId) {
    await sql`update audit_events set changes = jsonb_set(changes, ${sql.lit(`{${kind}}`)}, to_jsonb(coalesce((changes->>${kind})::int, 0) + ${erased}))
      where id = ${auditId}`.execute(tx)
    return auditId
  }
  const changes: RetentionCounts = { signers: 0, unconfirmed: 0, gifts: 0 }
  changes[kind] = erased
  const row = await tx
    .insertInto('audit_events')
    .values({
      organisation_id: organisationId,
      actor_user_id: null,
      action: 'retention.erased',
      subject_type: 'organisation',
      subject_id: organisationId,
      changes: JSON.stringify(changes),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/**
 * Erases every organisation's contact details that are past its retention periods, in
 * transactions of at most `batchSize` rows (short beside live signing). Resumable: erased rows
 * are marked, so a run picks up where a stopped one left off. Returns what it erased per organisation.
 */
export async function eraseExpiredContacts({
  batchSize = RETENTION_BATCH_SIZE,
  progress = () => {},
}: { batchSize?: number; progress?: Progress } = {}): Promise<Map<string, RetentionCounts>> {
  const organisations = await getDb()
    .selectFrom('organisations')
    .select(['id', 'signer_retention_months', 'unconfirmed_retention_days', 'financial_retention_years'])
    .orderBy('id')
    .execute()
  const result = new Map<string, RetentionCounts>()
  for (const row of organisations) {
    const org: OrganisationPolicy = {
      id: row.id,
      signerMonths: row.signer_retention_months,
      unconfirmedDays: row.unconfirmed_retention_days,
      financialYears: row.financial_retention_years,
    }
    const counts: RetentionCounts = { signers: 0, unconfirmed: 0, gifts: 0 }
    let auditId: string | null = null
    for (const kind of RETENTION_KINDS) {
      for (;;) {
        const batch: { erased: number; auditId: string | null } = await getDb()
          .transaction()
          .execute(async (tx) => {
            const ids = await dueBatch(tx, kind, org, batchSize)
            if (ids.length === 0) return { erased: 0, auditId }
            await eraseBatch(tx, kind, org, ids)
            return { erased: ids.length, auditId: await countInAudit(tx, org.id, auditId, kind, ids.length) }
          })
        auditId = batch.auditId
        counts[kind] += batch.erased
        if (batch.erased > 0) progress('erased contact details', { organisationId: org.id, kind, erased: batch.erased, total: counts[kind] })
        if (batch.erased < batchSize) break
      }
    }
    result.set(org.id, counts)
  }
  return result
}

/**
 * Drops `/my-data` link requests whose hour is over (used or not): each keeps a sealed address,
 * which should live no longer than its link. Returns how many went.
 */
export async function pruneExpiredDataRequests(executor: Executor = getDb()): Promise<number> {
  const result = await executor
    .deleteFrom('data_requests')
    .where('expires_at', '<=', sql<Date>`now()`)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

export type ErasureSchedule = { kind: 'after-close'; months: number } | { kind: 'on'; date: Date }

/** When the contact details of a campaign's signers go: a date once it has closed, else "N months after it closes". */
export async function getSignerErasureSchedule(campaignId: string, executor: Executor = getDb()): Promise<ErasureSchedule> {
  const campaign = await executor
    .selectFrom('campaigns as c')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .select(['c.status', 'c.closed_at', 'c.closes_at', 'c.updated_at', 'o.signer_retention_months as months'])
    .where('c.id', '=', campaignId)
    .executeTakeFirstOrThrow()
  if (campaign.status !== 'closed') return { kind: 'after-close', months: campaign.months }
  // As the job reads it (coalesce(closed_at, closes_at, updated_at)).
  return { kind: 'on', date: addMonths(campaign.closed_at ?? campaign.closes_at ?? campaign.updated_at, campaign.months) }
}

/** Calendar months in UTC, as PostgreSQL's `+ make_interval(months => n)` counts them (the 31st becomes the month's last day). */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date)
  const day = result.getUTCDate()
  result.setUTCDate(1)
  result.setUTCMonth(result.getUTCMonth() + months)
  const last = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate()
  result.setUTCDate(Math.min(day, last))
  return result
}
