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
