import { sql } from 'kysely'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { getDb, type Executor } from '~/utils/db.server'

/** How long an organisation keeps supporters' contact details (decision 0045). */
export interface RetentionPolicy {
  /** Signers' name, email and postcode: months after the campaign closes. */
  signerMonths: number
  /** Unconfirmed signatures: days after they were made. */
  unconfirmedDays: number
  /** Donors' name and email: years after the gift. */
  financialYears: number
}

export const DEFAULT_RETENTION: RetentionPolicy = { signerMonths: 6, unconfirmedDays: 30, financialYears: 7 }

export async function getRetentionPolicy(organisationId: string, executor: Executor = getDb()): Promise<RetentionPolicy> {
  const row = await executor
    .selectFrom('organisations')
    .select(['signer_retention_months', 'unconfirmed_retention_days', 'financial_retention_years'])
    .where('id', '=', organisationId)
    .executeTakeFirst()
  if (!row) return DEFAULT_RETENTION
  return { signerMonths: row.signer_retention_months, unconfirmedDays: row.unconfirmed_retention_days, financialYears: row.financial_retention_years }
}

/**
 * Sets the organisation's retention periods (owners, from the workspace). Audited with what
 * changed; nothing is written when nothing changed. The nightly erasure reads them from then on.
 */
export async function updateRetentionPolicy(actor: AuditActor & { organisation: { id: string } }, policy: RetentionPolicy): Promise<void> {
  await getDb()
    .transaction()
    .execute(async (tx) => {
      const before = await getRetentionPolicyForUpdate(tx, actor.organisation.id)
      const changes: Record<string, { from: number; to: number }> = {}
      for (const [field, column] of Object.entries(RETENTION_COLUMNS) as [keyof RetentionPolicy, (typeof RETENTION_COLUMNS)[keyof RetentionPolicy]][]) {
        if (before[field] !== policy[field]) changes[column] = { from: before[field], to: policy[field] }
      }
      if (Object.keys(changes).length === 0) return
      await tx
        .updateTable('organisations')
        .set({
          signer_retention_months: policy.signerMonths,
          unconfirmed_retention_days: policy.unconfirmedDays,
          financial_retention_years: policy.financialYears,
          updated_at: sql`now()`,
        })
        .where('id', '=', actor.organisation.id)
        .execute()
      await recordAudit(tx, actor, { action: 'organisation.retention_updated', subjectType: 'organisation', subjectId: actor.organisation.id, changes })
    })
}

const RETENTION_COLUMNS = {
  signerMonths: 'signer_retention_months',
  unconfirmedDays: 'unconfirmed_retention_days',
  financialYears: 'financial_retention_years',
} as const

async function getRetentionPolicyForUpdate(tx: Executor, organisationId: string): Promise<RetentionPolicy> {
  const row = await tx
    .selectFrom('organisations')
    .select(['signer_retention_months', 'unconfirmed_retention_days', 'financial_retention_years'])
    .where('id', '=', organisationId)
    .forUpdate()
    .executeTakeFirstOrThrow()
  return { signerMonths: row.signer_retention_months, unconfirmedDays: row.unconfirmed_retention_days, financialYears: row.financial_retention_years }
}
