import { sql } from 'kysely'
import type { DonationFrequency, DonationStatus } from '#db/types'
import type { Tx } from '~/utils/db.server'

// Status: derived from facts that are only ever added, so any order of events gives one answer

export interface DonationFacts {
  frequency: DonationFrequency
  checkout_completed_at: Date | null
  async_failed_at: Date | null
  expired_at: Date | null
  cancelled_at: Date | null
  last_invoice_failed_at: Date | null
}

export interface PaymentFacts {
  amount_minor: number
  refunded_minor: number
  dispute_status: string | null
  paid_at: Date
}

/** Dispute states in which the money is held back or lost. */
export const WITHHELD_DISPUTE_STATES = ['warning_needs_response', 'needs_response', 'under_review', 'warning_under_review', 'lost'] as const

export function deriveDonationStatus(facts: DonationFacts, payments: PaymentFacts[]): DonationStatus {
  const paid = payments.length > 0
  if (payments.some((p) => p.dispute_status && (WITHHELD_DISPUTE_STATES as readonly string[]).includes(p.dispute_status))) {
    return 'disputed'
  }
  if (facts.frequency === 'monthly') {
    if (facts.cancelled_at) return 'cancelled'
    if (paid && payments.every((p) => p.refunded_minor >= p.amount_minor)) return 'refunded'
    if (paid) {
      const lastPaid = Math.max(...payments.map((p) => p.paid_at.getTime()))
      return facts.last_invoice_failed_at && facts.last_invoice_failed_at.getTime() > lastPaid ? 'past_due' : 'active'
    }
    if (facts.last_invoice_failed_at || facts.async_failed_at) return 'failed'
  } else {
    if (paid && payments.every((p) => p.refunded_minor >= p.amount_minor)) return 'refunded'
    if (paid) return 'paid'
    if (facts.async_failed_at) return 'failed'
  }
  if (facts.expired_at) return 'expired'
  if (facts.checkout_completed_at) return 'processing'
  return 'pending'
}

export async function lockDonation(tx: Tx, donationId: string) {
  return (await tx.selectFrom('donations').selectAll().where('id', '=', donationId).forUpdate().executeTakeFirst()) ?? null
}

export async function refreshDonationStatus(tx: Tx, donationId: string) {
  const donation = await tx.selectFrom('donations').selectAll().where('id', '=', donationId).executeTakeFirstOrThrow()
  const payments = await tx
    .selectFrom('donation_payments')
    .select(['amount_minor', 'refunded_minor', 'dispute_status', 'paid_at'])
    .where('donation_id', '=', donationId)
    .execute()
  const status = deriveDonationStatus(donation, payments)
  if (status !== donation.status) {
    await tx
      .updateTable('donations')
      .set({ status, updated_at: sql`now()` })
      .where('id', '=', donationId)
      .execute()
  }
  return status
}

/**
 * Recomputes a campaign's cached totals from its payments. The advisory lock makes concurrent
 * webhooks for one campaign take turns, and each then reads the others' committed payments.
 */
export async function refreshCampaignTotals(tx: Tx, campaignId: string) {
  await sql`select pg_advisory_xact_lock(7003, (${campaignId}::bigint % 2147483647)::int)`.execute(tx)
  await sql`
    with sums as (
      select p.currency,
        coalesce(sum(p.amount_minor - p.refunded_minor) filter (where ${notWithheld}), 0) as total_minor,
        count(distinct coalesce(d.donor_email_index, d.id::text)) filter (where ${notWithheld} and p.amount_minor > p.refunded_minor) as donor_count
      from donation_payments p join donations d on d.id = p.donation_id
      where p.campaign_id = ${campaignId}
      group by p.currency
    )
    insert into campaign_donation_totals (campaign_id, currency, total_minor, donor_count, updated_at)
    select ${campaignId}, currency, total_minor, donor_count, now() from sums
    on conflict (campaign_id, currency) do update
      set total_minor = excluded.total_minor, donor_count = excluded.donor_count, updated_at = now()
      where campaign_donation_totals.total_minor is distinct from excluded.total_minor
         or campaign_donation_totals.donor_count is distinct from excluded.donor_count`.execute(tx)
}

const notWithheld = sql`(p.dispute_status is null or p.dispute_status not in (${sql.join(WITHHELD_DISPUTE_STATES.map((s) => sql`${s}`))}))`
