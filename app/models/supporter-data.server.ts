import { sql } from 'kysely'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { emailIndex, open, openNullable, recipientIndex } from '~/models/data-key.server'
import type { EmailStatus } from '#db/types'
import { getDb, type Executor, type Tx } from '~/utils/db.server'

// A supporter's own data, found by address: everything Chorus holds for it, and its
// erasure. Erasing keeps what the counts need (country, day, source, state), so totals and charts
// never change; it keeps the blind index of suppressions and unsubscribes, so an address that
// bounced, complained or said no is still never mailed (decision 0040).

export interface SupporterData {
  signatures: {
    organisation: string
    campaign: string
    signedAt: string
    confirmedAt: string | null
    state: string
    fullName: string
    email: string
    country: string
    postcode: string | null
    keepMeUpdated: boolean
    showMyName: boolean
    consentVersion: string
  }[]
  gifts: {
    organisation: string
    campaign: string
    givenAt: string
    amountMinor: number
    currency: string
    frequency: string
    status: string
    name: string
    email: string
  }[]
  emailPreferences: { organisation: string; campaign: string | null; unsubscribedAt: string; source: string }[]
  suppressions: { organisation: string; reason: string; since: string }[]
}

/** Everything held for an address (any spelling of the same inbox), opened: across organisations, or only one's. */
export async function collectSupporterData(email: string, executor: Executor = getDb(), organisationId: string | null = null): Promise<SupporterData> {
  const index = await emailIndex(email)
  const signatures = await executor
    .selectFrom('signatures as s')
    .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .select([
      'o.name as organisation',
      'c.title as campaign',
      's.created_at',
      's.confirmed_at',
      's.state',
      's.full_name',
      's.email',
      's.country',
      's.postcode',
      's.consent_updates',
      's.consent_show_name',
      's.consent_version',
    ])
    .where('s.email_index', '=', index)
    .$if(organisationId !== null, (q) => q.where('c.organisation_id', '=', organisationId!))
    .orderBy('s.id')
    .execute()
  const gifts = await executor
    .selectFrom('donations as d')
    .innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .select([
      'o.name as organisation',
      'c.title as campaign',
      'd.created_at',
      'd.amount_minor',
      'd.currency',
      'd.frequency',
      'd.status',
      'd.donor_name',
      'd.donor_email',
    ])
    .where('d.donor_email_index', '=', index)
    .$if(organisationId !== null, (q) => q.where('c.organisation_id', '=', organisationId!))
    .orderBy('d.id')
    .execute()
  const unsubscribes = await executor
    .selectFrom('email_unsubscribes as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .leftJoin('campaigns as c', 'c.id', 'u.campaign_id')
    .select(['o.name as organisation', 'c.title as campaign', 'u.created_at', 'u.source'])
    .where('u.email_index', '=', index)
    .$if(organisationId !== null, (q) => q.where('u.organisation_id', '=', organisationId!))
    .orderBy('u.id')
    .execute()
  const suppressions = await executor
    .selectFrom('email_suppressions as x')
    .innerJoin('organisations as o', 'o.id', 'x.organisation_id')
    .select(['o.name as organisation', 'x.reason', 'x.created_at'])
    .where('x.email_index', '=', index)
    .$if(organisationId !== null, (q) => q.where('x.organisation_id', '=', organisationId!))
    .orderBy('x.created_at')
    .execute()
  return {
    signatures: await Promise.all(
      signatures.map(async (s) => ({
        organisation: s.organisation,
        campaign: s.campaign,
        signedAt: s.created_at.toISOString(),
        confirmedAt: s.confirmed_at?.toISOString() ?? null,
        state: s.state,
        fullName: await open(s.full_name, executor),
        email: await open(s.email, executor),
        country: s.country.trim(),
        postcode: await openNullable(s.postcode, executor),
        keepMeUpdated: s.consent_updates,
        showMyName: s.consent_show_name,
        consentVersion: s.consent_version,
      })),
    ),
    gifts: await Promise.all(
      gifts.map(async (g) => ({
        organisation: g.organisation,
        campaign: g.campaign,
        givenAt: g.created_at.toISOString(),
        amountMinor: g.amount_minor,
        currency: g.currency,
        frequency: g.frequency,
        status: g.status,
        name: await open(g.donor_name, executor),
        email: await open(g.donor_email, executor),
      })),
    ),
    emailPreferences: unsubscribes.map((u) => ({
      organisation: u.organisation,
      campaign: u.campaign,
      unsubscribedAt: u.created_at.toISOString(),
      source: u.source,
    })),
    suppressions: suppressions.map((x) => ({ organisation: x.organisation, reason: x.reason, since: x.created_at.toISOString() })),
  }
}

/** Whether anything at all is held for an address. */
export async function holdsSupporterData(email: string): Promise<boolean> {
  const data = await collectSupporterData(email)
  return data.signatures.length + data.gifts.length + data.emailPreferences.length + data.suppressions.length > 0
}

export interface ErasureCounts {
  signatures: number
  gifts: number
  emails: number
  suppressions: number
}

/**
 * Erases every trace of an address, in one transaction: signatures keep only what the counts read
 * (state, country, day, source); gifts keep what accounting needs (amount, dates, Stripe ids); the
 * emails sent about them or to the address lose address and bodies; suppressions keep only the
 * blind index. Audited per organisation with the numbers, never the address.
 */
export async function eraseSupporterData(email: string, actor: AuditActor | null, organisationId: string | null = null): Promise<ErasureCounts> {
  const index = await emailIndex(email)
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      let signatures = tx
        .selectFrom('signatures as s')
        .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
        .select(['s.id', 'c.organisation_id'])
        .where('s.email_index', '=', index)
      let gifts = tx
        .selectFrom('donations as d')
        .innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
        .select(['d.id', 'd.donor_email', 'c.organisation_id'])
        .where('d.donor_email_index', '=', index)
      if (organisationId) {
        signatures = signatures.where('c.organisation_id', '=', organisationId)
        gifts = gifts.where('c.organisation_id', '=', organisationId)
      }
      const signatureRows = await signatures.forUpdate('s').execute()
      const giftRows = await gifts.forUpdate('d').execute()
      // The addresses the emails went to, as typed: the index of each finds its emails.
      const recipients = new Set([await recipientIndex(email)])
      for (const gift of giftRows) if (gift.donor_email) recipients.add(await recipientIndex(await open(gift.donor_email, tx)))
      const counts: ErasureCounts = { signatures: signatureRows.length, gifts: giftRows.length, emails: 0, suppressions: 0 }
      const signatureIds = signatureRows.map((s) => s.id)
      await eraseSignatureContacts(tx, signatureIds)
      await eraseGiftContacts(
        tx,
        giftRows.map((g) => g.id),
      )
      counts.emails = await redactEmails(tx, signatureIds, [...recipients], organisationId)
      let suppressions = tx.updateTable('email_suppressions').set({ email: '' }).where('email_index', '=', index).where('email', '<>', '')
      if (organisationId) suppressions = suppressions.where('organisation_id', '=', organisationId)
      counts.suppressions = Number((await suppressions.executeTakeFirst()).numUpdatedRows)
      const organisations = new Set([...signatureRows, ...giftRows].map((r) => r.organisation_id))
      if (organisationId) organisations.add(organisationId)
      for (const id of organisations) {
        await recordAudit(tx, actor ? { ...actor, organisation: { id } } : { user: null, organisation: { id } }, {
          action: 'supporter.erased',
          subjectType: 'supporter',
          changes: {
            signatures: signatureRows.filter((s) => s.organisation_id === id).length,
            gifts: giftRows.filter((g) => g.organisation_id === id).length,
            by: actor?.user ? 'organiser' : 'supporter',
          },
        })
      }
      return counts
    })
}

/**
 * Blanks the contact details of these signatures (the caller holds their row locks): name,
 * address, its index and domain, postcode, IP hash and token go; state, country, day and source
 * stay, so counts and charts never change. The index becomes `erased:<id>`: unique per campaign,
 * matching no address, so the same inbox may sign again.
 */
export async function eraseSignatureContacts(tx: Tx, signatureIds: string[]): Promise<void> {
  if (signatureIds.length === 0) return
  await tx
    .updateTable('signatures')
    .set({
      full_name: '',
      email: '',
      postcode: null,
      email_index: sql`'erased:' || id::text`,
      email_domain: null,
      ip_hash: null,
      confirmation_token_hash: null,
      consent_updates: false,
      contact_erased_at: sql`now()`,
      updated_at: sql`now()`,
    })
    .where('id', 'in', signatureIds)
    .execute()
}

/** Blanks the donor's name and address on these gifts; amounts, dates and Stripe ids stay for the accounts. */
export async function eraseGiftContacts(tx: Tx, donationIds: string[]): Promise<void> {
  if (donationIds.length === 0) return
  await tx
    .updateTable('donations')
    .set({ donor_name: '', donor_email: '', donor_email_index: null, contact_erased_at: sql`now()`, updated_at: sql`now()` })
    .where('id', 'in', donationIds)
    .execute()
}

/** What an email keeps once its recipient is erased: no address, no bodies; one not yet sent is never sent. */
const REDACTED_EMAIL = {
  recipient: 'redacted',
  recipient_index: null,
  html: null,
  text: null,
  payload: null,
  // A provider's refusal may quote the address.
  error: sql<string | null>`case when status in ('queued', 'sending') then 'erased' else null end`,
  status: sql<EmailStatus>`case when status in ('queued', 'sending') then 'skipped' else status end`,
  updated_at: sql<Date>`now()`,
}

/** The emails about these signatures or sent to these addresses lose address and bodies; unsent ones are not sent. */
export async function redactEmails(tx: Tx, signatureIds: string[], recipientIndexes: string[], organisationId: string | null = null): Promise<number> {
  if (signatureIds.length === 0 && recipientIndexes.length === 0) return 0
  let query = tx
    .updateTable('email_messages')
    .set(REDACTED_EMAIL)
    .where((eb) =>
      eb.or([
        ...(signatureIds.length > 0 ? [eb('signature_id', 'in', signatureIds)] : []),
        ...(recipientIndexes.length > 0 ? [eb('recipient_index', 'in', recipientIndexes)] : []),
      ]),
    )
  if (organisationId) query = query.where('campaign_id', 'in', (eb) => eb.selectFrom('campaigns').select('id').where('organisation_id', '=', organisationId))
  return Number((await query.executeTakeFirst()).numUpdatedRows)
}
