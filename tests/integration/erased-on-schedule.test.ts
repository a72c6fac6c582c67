import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { getCampaignDashboard } from '~/models/campaign-stats.server'
import { emailIndex, open, recipientIndex, seal } from '~/models/data-key.server'
import { isSuppressed, suppress } from '~/models/email-preferences.server'
import { requestMyDataLink } from '~/models/my-data.server'
import { eraseExpiredContacts, getSignerErasureSchedule } from '~/models/retention.server'
import { foldConfirmedSignatures, reconcileSignatureCounts } from '~/models/signature-count.server'
import { confirmSignature, signCampaign } from '~/models/signature.server'
import { collectSupporterData } from '~/models/supporter-data.server'
import { listSupporters } from '~/models/supporter.server'
import { getDb } from '~/utils/db.server'
import { createCampaign, createOrganisation, createSignature, uniqueEmail } from '../support/factories'
import { queuedEmails, runDueJobs, runJobsOf } from '../support/jobs'
import { plainDump } from '../support/plain-dump'

// Decision 0045: the nightly job erases contact details past each organisation's retention
// settings, and nothing else.

const db = () => getDb()
const DAYS: Record<string, number> = { day: 1, days: 1, month: 31, months: 31, year: 366, years: 366 }
/** A moment `amount unit` ago, generously: '7 months' is 217 days, always past a 6-month setting, never past an 8-month one. */
const ago = (interval: string) => {
  const [amount, unit] = interval.split(' ') as [string, string]
  const days = Number(amount) * DAYS[unit]!
  return new Date(Date.now() - days * 86_400_000)
}

async function closedCampaign(organisationId: string, closedAgo: string) {
  return await createCampaign(db(), { organisation_id: organisationId, status: 'closed', closed_at: ago(closedAgo) })
}

async function emailAbout(signature: { id: string; campaign_id: string; email: string }, organisationId: string) {
  return await db()
    .insertInto('email_messages')
    .values({
      idempotency_key: `test/${signature.id}/${Math.random()}`,
      recipient: await seal(organisationId, signature.email),
      recipient_index: await recipientIndex(signature.email),
      template: 'signature-thanks',
      subject: 'Thank you',
      locale: 'en',
      transport: 'mailbox',
      status: 'sent',
      signature_id: signature.id,
      campaign_id: signature.campaign_id,
      html: await seal(organisationId, `<p>Dear ${signature.email}</p>`),
      text: await seal(organisationId, `Dear ${signature.email}`),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
}

async function gift(
  campaign: { id: string; organisation_id: string },
  values: { givenAgo: string; frequency?: 'one_off' | 'monthly'; status?: 'paid' | 'active' },
) {
  const email = uniqueEmail('donor')
  return await db()
    .insertInto('donations')
    .values({
      campaign_id: campaign.id,
      frequency: values.frequency ?? 'one_off',
      amount_minor: 2500,
      currency: 'GBP',
      status: values.status ?? 'paid',
      donor_name: await seal(campaign.organisation_id, 'Dora Donor'),
      donor_email: await seal(campaign.organisation_id, email),
      donor_email_index: await emailIndex(email),
      stripe_payment_intent_id: `pi_${Math.random().toString(36).slice(2)}`,
      created_at: ago(values.givenAgo),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

const signatureRow = (id: string) => db().selectFrom('signatures').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const isErased = async (id: string) => (await signatureRow(id)).contact_erased_at !== null

describe('erasure on schedule', () => {
  it('erases exactly what the settings say: signers of campaigns closed long enough ago, old unconfirmed signatures, old gifts', async () => {
    const org = await createOrganisation(db()) // the defaults: 6 months, 30 days, 7 years
    const longClosed = await closedCampaign(org.id, '7 months')
    const recentlyClosed = await closedCampaign(org.id, '5 months')
    const live = await createCampaign(db(), { organisation_id: org.id, status: 'live' })

    const due = [
      await createSignature(db(), { campaign_id: longClosed.id, state: 'confirmed', postcode: 'AB1 2CD' }),
      await createSignature(db(), { campaign_id: longClosed.id, state: 'confirmed' }),
      await createSignature(db(), { campaign_id: longClosed.id, state: 'pending', created_at: ago('1 day') }),
      await createSignature(db(), { campaign_id: recentlyClosed.id, state: 'pending', created_at: ago('31 days') }),
      await createSignature(db(), { campaign_id: live.id, state: 'pending', created_at: ago('40 days') }),
      // Held by the integrity rules and never confirmed: unconfirmed like a pending one.
      await createSignature(db(), { campaign_id: live.id, state: 'held', created_at: ago('40 days') }),
    ]
    const kept = [
      await createSignature(db(), { campaign_id: recentlyClosed.id, state: 'confirmed', created_at: ago('2 years') }),
      await createSignature(db(), { campaign_id: recentlyClosed.id, state: 'pending', created_at: ago('29 days') }),
      await createSignature(db(), { campaign_id: live.id, state: 'confirmed', created_at: ago('3 years') }),
      // Held after confirming: a confirmed signer waiting for a reviewer.
      await createSignature(db(), { campaign_id: live.id, state: 'held', created_at: ago('40 days'), confirmed_at: ago('39 days') }),
    ]
    const dueEmail = await emailAbout(due[0]!, org.id)
    const keptEmail = await emailAbout(kept[0]!, org.id)
    const oldGift = await gift(live, { givenAgo: '8 years' })
    const newerGift = await gift(live, { givenAgo: '6 years' })
    const runningMonthly = await gift(live, { givenAgo: '8 years', frequency: 'monthly', status: 'active' })

    // Another organisation keeps signers one month only, and the same address signed both.
    const strict = await createOrganisation(db())
    await db().updateTable('organisations').set({ signer_retention_months: 1 }).where('id', '=', strict.id).execute()
    const strictClosed = await closedCampaign(strict.id, '2 months')
    const strictDue = await createSignature(db(), { campaign_id: strictClosed.id, state: 'confirmed', email: kept[0]!.email })

    const progress: string[] = []
    const result = await eraseExpiredContacts({ batchSize: 2, progress: (_message, d) => progress.push(`${d.kind}:${d.erased}/${d.total}`) })

    expect(result.get(org.id)).toEqual({ signers: 3, unconfirmed: 3, gifts: 1 })
    expect(result.get(strict.id)).toEqual({ signers: 1, unconfirmed: 0, gifts: 0 })
    // Bounded batches, each reported.
    expect(progress).toEqual(['signers:2/2', 'signers:1/3', 'unconfirmed:2/2', 'unconfirmed:1/3', 'gifts:1/1', 'signers:1/1'])

    for (const s of [...due, strictDue]) {
      const row = await signatureRow(s.id)
      expect(row).toMatchObject({ full_name: '', email: '', postcode: null, ip_hash: null, confirmation_token_hash: null, email_domain: null })
      expect(row.email_index).toBe(`erased:${s.id}`)
      expect(row.contact_erased_at).not.toBeNull()
    }
    for (const s of kept) {
      const row = await signatureRow(s.id)
      expect(row.contact_erased_at).toBeNull()
      expect(await open(row.email)).toBe(s.email)
    }
    // The same person's signature elsewhere, and its email, are untouched.
    expect((await collectSupporterData(kept[0]!.email)).signatures.map((x) => x.campaign)).toEqual([recentlyClosed.title])
    const emails = await db().selectFrom('email_messages').select(['id', 'recipient', 'html', 'text']).orderBy('id').execute()
    expect(emails.find((e) => e.id === dueEmail.id)).toMatchObject({ recipient: 'redacted', html: null, text: null })
    expect(await open(emails.find((e) => e.id === keptEmail.id)!.recipient)).toBe(kept[0]!.email)

    const gifts = await db().selectFrom('donations').selectAll().orderBy('id').execute()
    expect(gifts.find((g) => g.id === oldGift.id)).toMatchObject({
      donor_name: '',
      donor_email: '',
      donor_email_index: null,
      amount_minor: 2500,
      stripe_payment_intent_id: oldGift.stripe_payment_intent_id,
    })
    for (const id of [newerGift.id, runningMonthly.id]) expect(await open(gifts.find((g) => g.id === id)!.donor_name)).toBe('Dora Donor')

    // Audited per organisation with the numbers; nothing of anyone.
    const audit = await db().selectFrom('audit_events').select(['organisation_id', 'action', 'changes']).where('action', '=', 'retention.erased').execute()
    expect(audit.map((a) => [a.organisation_id, a.changes]).sort()).toEqual(
      [
        [org.id, { signers: 3, unconfirmed: 3, gifts: 1 }],
        [strict.id, { signers: 1, unconfirmed: 0, gifts: 0 }],
      ].sort(),
    )

    // Again: nothing more is due, nothing more is written.
    const again = await eraseExpiredContacts()
    expect([...again.values()].every((c) => c.signers + c.unconfirmed + c.gifts === 0)).toBe(true)
    expect(await db().selectFrom('audit_events').select('id').where('action', '=', 'retention.erased').execute()).toHaveLength(2)
  })

  it('leaves the count, the chart, countries and sources as they were; the erased show as erased in the supporters list', async () => {
    const campaign = await createCampaign(db(), { status: 'live' })
    for (const [country, source] of [
      ['RU', 'newsletter'],
      ['RU', null],
      ['GB', 'newsletter'],
    ] as const) {
      await createSignature(db(), {
        campaign_id: campaign.id,
        state: 'confirmed',
        country,
        utm_source: source,
        created_at: ago('3 days'),
        confirmed_at: ago('3 days'),
      })
    }
    await foldConfirmedSignatures()
    const snapshot = async () => {
      const row = await db().selectFrom('campaigns').selectAll().where('id', '=', campaign.id).executeTakeFirstOrThrow()
      const dashboard = await getCampaignDashboard(row, { now: new Date() })
      return { count: row.signature_count, ...dashboard, recent: undefined }
    }
    await db()
      .updateTable('campaigns')
      .set({ status: 'closed', closed_at: ago('7 months') })
      .where('id', '=', campaign.id)
      .execute()
    const before = await snapshot()
    expect(before.count).toBe(3)
    expect(before.countries).toEqual([
      { code: 'RU', count: 2 },
      { code: 'GB', count: 1 },
    ])

    expect((await eraseExpiredContacts()).get(campaign.organisation_id)).toMatchObject({ signers: 3 })
    await foldConfirmedSignatures()
    expect(await reconcileSignatureCounts()).toEqual([])
    expect(await snapshot()).toEqual(before)

    const page = await listSupporters(campaign.id, {})
    expect(page.supporters.map((s) => [s.contactErased, s.fullName, s.email, s.country])).toEqual([
      [true, '', '', 'GB'],
      [true, '', '', 'RU'],
      [true, '', '', 'RU'],
    ])
  })

  it('an erased address that bounced is still never emailed, and may sign again', async () => {
    const campaign = await closedCampaign((await createOrganisation(db())).id, '1 year')
    const signer = await createSignature(db(), { campaign_id: campaign.id, state: 'confirmed', email: 'Bounced.Once@example.org' })
    await suppress(db(), { organisationId: campaign.organisation_id, email: signer.email, reason: 'bounce' })
    await eraseExpiredContacts()
    expect(await isErased(signer.id)).toBe(true)
    expect(await isSuppressed(campaign.organisation_id, 'bounced.once@example.org')).toBe(true)
    // The erased signature no longer holds the address: the same inbox signs another campaign of the organisation.
    const next = await createCampaign(db(), { organisation_id: campaign.organisation_id })
    const outcome = await signCampaign(
      { id: next.id, consentVersion: next.consent_version },
      { fullName: 'Bea Back', email: 'bounced.once@example.org', country: 'GB' },
      { ip: '192.0.2.1', userAgent: 't', locale: 'en' },
    )
    expect(outcome.outcome).toBe('created')
  })

  it('the nightly job runs it, and the dashboard dates it', async () => {
    const org = await createOrganisation(db())
    const campaign = await closedCampaign(org.id, '7 months')
    const signer = await createSignature(db(), { campaign_id: campaign.id, state: 'confirmed' })
    await sql`select graphile_worker.add_job('erase-expired-contacts', '{}'::json)`.execute(db())
    await runJobsOf('erase-expired-contacts')
    expect(await isErased(signer.id)).toBe(true)

    const open_ = await createCampaign(db(), { organisation_id: org.id })
    expect(await getSignerErasureSchedule(open_.id)).toEqual({ kind: 'after-close', months: 6 })
    const closed = await db()
      .updateTable('campaigns')
      .set({ status: 'closed', closed_at: '2026-01-31T10:00:00Z' })
      .where('id', '=', open_.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    expect(await getSignerErasureSchedule(closed.id)).toEqual({ kind: 'on', date: new Date('2026-07-31T10:00:00Z') })
    await db().updateTable('organisations').set({ signer_retention_months: 1 }).where('id', '=', org.id).execute()
    expect(await getSignerErasureSchedule(closed.id)).toEqual({ kind: 'on', date: new Date('2026-02-28T10:00:00Z') })
  })

  it('drops /my-data link requests, and the sealed address each keeps, once their hour is over', async () => {
    const org = await createOrganisation(db())
    const campaign = await createCampaign(db(), { organisation_id: org.id })
    const [late, recent] = [uniqueEmail('late'), uniqueEmail('recent')]
    for (const [i, email] of [late, recent].entries()) {
      await createSignature(db(), { campaign_id: campaign.id, state: 'confirmed', email })
      expect(await requestMyDataLink(email, `192.0.2.${i + 1}`, 'en')).toEqual({ status: 'sent' })
    }
    const requestFor = async (email: string) =>
      await db()
        .selectFrom('data_requests')
        .select(['id'])
        .where('email_index', '=', await emailIndex(email))
        .executeTakeFirst()
    const expired = (await requestFor(late))!
    await db()
      .updateTable('data_requests')
      .set({ expires_at: ago('1 day') })
      .where('id', '=', expired.id)
      .execute()

    await sql`select graphile_worker.add_job('erase-expired-contacts', '{}'::json)`.execute(db())
    await runJobsOf('erase-expired-contacts')
    expect(await requestFor(late)).toBeUndefined()
    expect(await requestFor(recent)).toBeDefined()
  })
})

describe('after the schedule has run, a dump holds no trace', () => {
  it('neither the details nor their sealed values, their indexes or the emails about them', async () => {
    const SIGNER = { fullName: 'Yevdokiya Retained-Quorn', email: 'yevdokiya.quorn@example.org', postcode: 'YQ7 3RR' }
    const campaign = await createCampaign(db())
    await signCampaign(
      { id: campaign.id, consentVersion: campaign.consent_version },
      { ...SIGNER, country: 'RU', consentUpdates: 'on', consentShowName: 'on' },
      { ip: '203.0.113.77', userAgent: 'test', locale: 'en' },
    )
    const token = (await queuedEmails('signature-confirmation')).at(-1)!.payload.token as string
    expect((await confirmSignature(token)).status).toBe('confirmed')
    await runDueJobs()
    const donor = await gift(campaign, { givenAgo: '8 years' })
    await db()
      .updateTable('campaigns')
      .set({ status: 'closed', closed_at: ago('7 months') })
      .where('id', '=', campaign.id)
      .execute()

    // Every stored form of the person: sealed values and blind indexes.
    const signature = await db().selectFrom('signatures').selectAll().executeTakeFirstOrThrow()
    const emails = await db().selectFrom('email_messages').selectAll().execute()
    expect(emails.filter((e) => e.html !== null).length).toBeGreaterThanOrEqual(1)
    const traces = [
      signature.full_name,
      signature.email,
      signature.email_index,
      signature.postcode!,
      ...emails.flatMap((e) => [e.recipient, e.recipient_index, e.html, e.text].filter((v): v is string => !!v)),
      donor.donor_name,
      donor.donor_email,
      donor.donor_email_index!,
    ]
    expect(traces.every((t) => typeof t === 'string' && t.length > 8)).toBe(true)
    const before = await plainDump()
    for (const trace of traces) expect(before).toContain(trace)

    await eraseExpiredContacts()
    const after = await plainDump()
    expect(after).toContain(campaign.title)
    for (const trace of traces) expect(after, 'a sealed value or index is still in the dump').not.toContain(trace)
    for (const secret of [/yevdokiya/i, /quorn/i, /YQ7 ?3RR/i]) expect(after).not.toMatch(secret)
    expect(await collectSupporterData(SIGNER.email)).toMatchObject({ signatures: [], gifts: [] })
  })
})
