import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { getDb } from '~/utils/db.server'
import { foldConfirmedSignatures, reconcileSignatureCounts } from './signature-count.server'
import { SupporterListQuerySchema } from './supporter-schema'
import { invalidateSignature, listSupporters, removeSignature } from './supporter.server'

async function actorFor(organisationId: string) {
  const user = await getDb()
    .insertInto('users')
    .values({ email: `organiser-${Math.random().toString(36).slice(2)}@example.org` })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { user: { id: user.id }, organisation: { id: organisationId } }
}

/** Every cached count of a campaign, in one comparable object. */
async function countsOf(campaignId: string) {
  const db = getDb()
  const campaign = await db.selectFrom('campaigns').select('signature_count').where('id', '=', campaignId).executeTakeFirstOrThrow()
  const pick = async (table: 'campaign_country_counts' | 'campaign_daily_counts' | 'campaign_source_counts', key: string) => {
    const { rows } = await sql<{
      k: string
      n: number
    }>`select ${sql.ref(key)}::text as k, signature_count as n from ${sql.table(table)} where campaign_id = ${campaignId} and signature_count <> 0 order by 1`.execute(
      db,
    )
    return Object.fromEntries(rows.map((r) => [r.k.trim(), r.n]))
  }
  return {
    total: campaign.signature_count,
    countries: await pick('campaign_country_counts', 'country'),
    days: await pick('campaign_daily_counts', 'day'),
    sources: await pick('campaign_source_counts', 'source'),
  }
}

const DAY = new Date('2026-11-20T10:00:00Z')

describe('listSupporters', () => {
  it('finds a signer by a whole address, whatever its case, dots or +tag, through the blind index', async () => {
    const campaign = await createCampaign(getDb())
    const other = await createCampaign(getDb())
    await createSignature(getDb(), { campaign_id: campaign.id, full_name: 'Natalia Petrova', email: 'np@example.org' })
    await createSignature(getDb(), { campaign_id: campaign.id, full_name: 'John Smith', email: 'John.Smith+petition@Gmail.com' })
    await createSignature(getDb(), { campaign_id: other.id, full_name: 'Natalia Other', email: 'natalia@example.org' })
    const names = async (q: string) => (await listSupporters(campaign.id, { q })).supporters.map((s) => s.fullName)

    expect(await names('johnsmith@googlemail.com')).toEqual(['John Smith'])
    expect(await names('NP@example.org')).toEqual(['Natalia Petrova'])
    expect(await names('natalia@example.org')).toEqual([])
  })

  it('filters by state and pages newest first, both ways', async () => {
    const campaign = await createCampaign(getDb())
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', full_name: `Signer ${i}` })).id)
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'pending', full_name: 'Waiting' })
    const names = (page: { supporters: { fullName: string }[] }) => page.supporters.map((s) => s.fullName)

    const pending = await listSupporters(campaign.id, { state: 'pending' })
    expect(names(pending)).toEqual(['Waiting'])

    const first = await listSupporters(campaign.id, { state: 'confirmed' }, { limit: 2 })
    expect(names(first)).toEqual(['Signer 4', 'Signer 3'])
    expect(first.newer).toBeNull()
    expect(first.older).toBe(ids[3])
    const second = await listSupporters(campaign.id, { state: 'confirmed', after: first.older! }, { limit: 2 })
    expect(names(second)).toEqual(['Signer 2', 'Signer 1'])
    expect(second.newer).toBe(ids[2])
    const third = await listSupporters(campaign.id, { state: 'confirmed', after: second.older! }, { limit: 2 })
    expect(names(third)).toEqual(['Signer 0'])
    expect(third.older).toBeNull()
    const back = await listSupporters(campaign.id, { state: 'confirmed', before: third.supporters[0]!.id }, { limit: 2 })
    expect(names(back)).toEqual(['Signer 2', 'Signer 1'])
    expect(back.newer).toBe(ids[2])
    const backToStart = await listSupporters(campaign.id, { state: 'confirmed', before: back.newer! }, { limit: 2 })
    expect(names(backToStart)).toEqual(['Signer 4', 'Signer 3'])
    expect(backToStart.newer).toBeNull()
  })

  it('refuses searches that are not a whole address (names are sealed), and bad cursors', () => {
    expect(SupporterListQuerySchema.safeParse({ q: 'petrova' }).success).toBe(false)
    expect(SupporterListQuerySchema.safeParse({ q: 'np@example.org' }).success).toBe(true)
    expect(SupporterListQuerySchema.safeParse({ q: '  ' }).data).toEqual({ q: undefined })
    expect(SupporterListQuerySchema.safeParse({ after: '1 or 1=1' }).success).toBe(false)
    expect(SupporterListQuerySchema.safeParse({ state: 'deleted' }).success).toBe(false)
  })
})

describe('removeSignature', () => {
  it('takes a counted signature out of every count once, redacts its emails and forgets it', async () => {
    const campaign = await createCampaign(getDb())
    const actor = await actorFor(String(campaign.organisation_id))
    const keep = await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', country: 'GB', confirmed_at: DAY, utm_source: 'mail' })
    const gone = await createSignature(getDb(), {
      campaign_id: campaign.id,
      state: 'confirmed',
      country: 'RU',
      confirmed_at: DAY,
      utm_source: 'mail',
      full_name: 'Forget Me',
      email: 'forget.me@example.org',
    })
    await getDb()
      .insertInto('email_messages')
      .values(
        [gone, keep].map((s) => ({
          idempotency_key: `thanks/${s.id}`,
          recipient: s.email,
          template: 'signature-thanks',
          subject: `Thank you, ${s.full_name}`,
          locale: 'en',
          transport: 'mailbox',
          signature_id: s.id,
          campaign_id: campaign.id,
          html: `<p>Dear ${s.full_name}</p>`,
          text: `Dear ${s.full_name}`,
        })),
      )
      .execute()
    await foldConfirmedSignatures()
    expect(await countsOf(campaign.id)).toEqual({ total: 2, countries: { GB: 1, RU: 1 }, days: { '2026-11-20': 2 }, sources: { mail: 2 } })

    expect(await removeSignature(actor, campaign.id, gone.id)).toEqual({ status: 'removed', state: 'confirmed', wasCounted: true })
    expect(await countsOf(campaign.id)).toEqual({ total: 1, countries: { GB: 1 }, days: { '2026-11-20': 1 }, sources: { mail: 1 } })
    expect(await getDb().selectFrom('signatures').select('id').where('id', '=', gone.id).execute()).toEqual([])

    // Nothing of the person is left in the emails table or the audit log.
    const { rows: traces } = await sql`select * from email_messages e where e::text ilike '%forget%'`.execute(getDb())
    expect(traces).toEqual([])
    const kept = await getDb().selectFrom('email_messages').select(['recipient', 'text']).where('signature_id', '=', keep.id).executeTakeFirstOrThrow()
    expect(kept.recipient).toBe(keep.email)
    const audit = await getDb().selectFrom('audit_events').selectAll().execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'signature.removed', subject_type: 'signature', subject_id: gone.id, actor_user_id: actor.user.id })
    expect(JSON.stringify(audit[0])).not.toMatch(/forget|example\.org/i)

    // A second press, or a replay: nothing more is subtracted.
    expect(await removeSignature(actor, campaign.id, gone.id)).toEqual({ status: 'not-found' })
    expect((await countsOf(campaign.id)).total).toBe(1)
    expect(await reconcileSignatureCounts()).toEqual([])
  })

  it('subtracts nothing for a signature the counter has not folded yet', async () => {
    const campaign = await createCampaign(getDb())
    const actor = await actorFor(String(campaign.organisation_id))
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed' })
    await foldConfirmedSignatures()
    const fresh = await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed' })
    expect(await removeSignature(actor, campaign.id, fresh.id)).toMatchObject({ status: 'removed', wasCounted: false })
    await foldConfirmedSignatures()
    expect((await countsOf(campaign.id)).total).toBe(1)
    expect(await reconcileSignatureCounts()).toEqual([])
  })

  it('does not reach into another campaign', async () => {
    const campaign = await createCampaign(getDb())
    const other = await createCampaign(getDb())
    const actor = await actorFor(String(campaign.organisation_id))
    const theirs = await createSignature(getDb(), { campaign_id: other.id, state: 'confirmed' })
    await foldConfirmedSignatures()
    expect(await removeSignature(actor, campaign.id, theirs.id)).toEqual({ status: 'not-found' })
    expect(await invalidateSignature(actor, campaign.id, theirs.id, 'fraud')).toEqual({ status: 'not-found' })
    expect((await countsOf(other.id)).total).toBe(1)
    expect(await getDb().selectFrom('audit_events').selectAll().execute()).toEqual([])
  })
})

describe('invalidateSignature', () => {
  it('takes a counted confirmation out of the counts once and records why', async () => {
    const campaign = await createCampaign(getDb())
    const actor = await actorFor(String(campaign.organisation_id))
    const fake = await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', country: 'FR', confirmed_at: DAY, source: 'bot' })
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', country: 'FR', confirmed_at: DAY })
    await foldConfirmedSignatures()

    expect(await invalidateSignature(actor, campaign.id, fake.id, 'fraud')).toEqual({ status: 'invalidated', from: 'confirmed', wasCounted: true })
    expect(await countsOf(campaign.id)).toEqual({ total: 1, countries: { FR: 1 }, days: { '2026-11-20': 1 }, sources: { '': 1 } })
    const row = await getDb().selectFrom('signatures').selectAll().where('id', '=', fake.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ state: 'invalidated', invalidation_reason: 'fraud', counted_at: null })

    expect(await invalidateSignature(actor, campaign.id, fake.id, 'spam')).toEqual({ status: 'already-invalidated' })
    expect((await countsOf(campaign.id)).total).toBe(1)
    const audit = await getDb().selectFrom('audit_events').selectAll().execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.changes).toEqual({ campaignId: campaign.id, state: { from: 'confirmed', to: 'invalidated' }, reason: 'fraud', counted: true })
    expect(await reconcileSignatureCounts()).toEqual([])
  })

  it('keeps a pending signature from ever being counted', async () => {
    const campaign = await createCampaign(getDb())
    const actor = await actorFor(String(campaign.organisation_id))
    const pending = await createSignature(getDb(), { campaign_id: campaign.id, state: 'pending' })
    expect(await invalidateSignature(actor, campaign.id, pending.id, 'duplicate')).toMatchObject({ from: 'pending', wasCounted: false })
    await foldConfirmedSignatures()
    expect((await countsOf(campaign.id)).total).toBe(0)
  })

  it('keeps every count exact while the counter folds at the same time', async () => {
    const campaign = await createCampaign(getDb())
    const actor = await actorFor(String(campaign.organisation_id))
    const { rows } = await sql<{ id: string }>`
      insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, confirmed_at, utm_source)
      select ${campaign.id}, 'Signer', 'c' || n || '@example.org', 'c' || n || '@example.org', case when n % 2 = 0 then 'GB' else 'UA' end,
             'v', 'confirmed', now() - (n % 3) * interval '1 day', case when n % 4 = 0 then 'fb' end
      from generate_series(1, 120) n
      returning id`.execute(getDb())
    await foldConfirmedSignatures(20)
    // Some already counted, most not: invalidate and remove every third while folds run.
    const victims = rows.filter((_, i) => i % 3 === 0)
    await Promise.all([
      ...victims.map((row, i) => (i % 2 === 0 ? invalidateSignature(actor, campaign.id, row.id, 'fraud') : removeSignature(actor, campaign.id, row.id))),
      ...Array.from({ length: 8 }, () => foldConfirmedSignatures(10)),
    ])
    while ((await foldConfirmedSignatures()).folded > 0) {
      // drain
    }
    expect((await countsOf(campaign.id)).total).toBe(120 - victims.length)
    // The reconciliation's count(*) agrees with every cached count: nothing was subtracted twice or missed.
    expect(await reconcileSignatureCounts()).toEqual([])
  })
})
