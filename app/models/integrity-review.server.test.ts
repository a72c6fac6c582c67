import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature, createOrganisation } from '../../tests/support/factories'
import { getDb } from '~/utils/db.server'
import { IntegrityFilterSchema } from './integrity-schema'
import { getIntegrityOverview, previewIntegrityAction, runIntegrityAction, startIntegrityAction } from './integrity-review.server'
import { foldConfirmedSignatures, reconcileSignatureCounts } from './signature-count.server'

async function countOf(campaignId: string) {
  while ((await foldConfirmedSignatures()).folded > 0);
  const row = await getDb().selectFrom('campaigns').select('signature_count').where('id', '=', campaignId).executeTakeFirstOrThrow()
  return row.signature_count
}

async function actor() {
  const organisation = await createOrganisation(getDb())
  const user = await getDb()
    .insertInto('users')
    .values({ email: `reviewer-${Date.now()}-${Math.random()}@example.org` })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { user: { id: user.id }, organisation: { id: organisation.id } }
}

const filter = (values: Record<string, string>) => IntegrityFilterSchema.parse(values)
const fp = (n: number) => Buffer.from(`${n.toString(16).padStart(10, '0')}${'00'.repeat(27)}`, 'hex')

describe('bulk review actions', () => {
  it('release and invalidate move the count by exactly the number previewed', async () => {
    const campaign = await createCampaign(getDb())
    const who = await actor()
    // Real signers, confirmed and counted.
    for (let i = 0; i < 20; i++) await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', email: `real${i}@gmail.com`, ip_hash: fp(i) })
    // A flood from one domain: held, some confirmed by their (fake) signers.
    for (let i = 0; i < 30; i++) {
      await createSignature(getDb(), {
        campaign_id: campaign.id,
        state: 'held',
        hold_reasons: ['domain_rate'],
        email: `bot${i}@flood.example`,
        ip_hash: fp(1000),
        confirmed_at: i % 3 === 0 ? new Date() : null,
      })
    }
    // Flood signatures that slipped in before the rule held them: confirmed and counted.
    for (let i = 0; i < 12; i++)
      await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', email: `early${i}@flood.example`, ip_hash: fp(1000) })
    // Disposable ones, held: a reviewer judges them real.
    for (let i = 0; i < 7; i++) {
      await createSignature(getDb(), {
        campaign_id: campaign.id,
        state: 'held',
        hold_reasons: ['disposable'],
        email: `x${i}@mailinator.com`,
        ip_hash: fp(2000 + i),
        confirmed_at: i < 4 ? new Date() : null,
      })
    }
    expect(await countOf(campaign.id)).toBe(32)

    const overview = await getIntegrityOverview(campaign.id)
    expect(overview.heldTotal).toBe(37)
    expect(overview.heldByReason).toEqual([
      { key: 'domain_rate', count: 30 },
      { key: 'disposable', count: 7 },
    ])
    expect(overview.domains.hour[0]).toEqual({ key: 'flood.example', count: 42 })
    expect(overview.addresses.day[0]).toEqual({ key: fp(1000).subarray(0, 5).toString('hex'), count: 42 })

    // Release the disposable ones: 7 rows, the 4 confirmed count.
    const release = await previewIntegrityAction(campaign.id, 'release', filter({ reason: 'disposable' }))
    expect(release).toMatchObject({ rows: 7, countChange: 4 })
    // A new held signature after the preview is not touched by the action.
    const lateOne = await createSignature(getDb(), {
      campaign_id: campaign.id,
      state: 'held',
      hold_reasons: ['disposable'],
      email: 'late@mailinator.com',
      confirmed_at: new Date(),
    })
    const before = await countOf(campaign.id)
    const started = await startIntegrityAction(who, campaign.id, 'release', release.pinned, release.rows)
    expect(started.background).toBe(false)
    expect((await countOf(campaign.id)) - before).toBe(release.countChange)
    const late = await getDb().selectFrom('signatures').select('state').where('id', '=', lateOne.id).executeTakeFirstOrThrow()
    expect(late.state).toBe('held')

    // Invalidate everything from the flooding domain, any state: 42 rows, the 12 counted leave the count.
    const invalidate = await previewIntegrityAction(campaign.id, 'invalidate', filter({ domain: 'flood.example', state: 'any', window: '24h' }))
    expect(invalidate).toMatchObject({ rows: 42, countChange: -12 })
    const beforeInvalidate = await countOf(campaign.id)
    await startIntegrityAction(who, campaign.id, 'invalidate', invalidate.pinned, invalidate.rows)
    expect((await countOf(campaign.id)) - beforeInvalidate).toBe(invalidate.countChange)
    const states = await getDb()
      .selectFrom('signatures')
      .select(['state', sql<number>`count(*)::int`.as('n')])
      .where('campaign_id', '=', campaign.id)
      .groupBy('state')
      .orderBy('state')
      .execute()
    expect(states).toEqual([
      { state: 'confirmed', n: 24 },
      { state: 'held', n: 1 },
      { state: 'invalidated', n: 42 },
      { state: 'pending', n: 3 },
    ])
    // Every cached count agrees with count(*): nothing for the reconciliation to repair.
    expect(await reconcileSignatureCounts()).toEqual([])

    const audit = await getDb().selectFrom('audit_events').select(['action', 'changes']).where('subject_id', '=', campaign.id).orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['integrity.release_started', 'integrity.released', 'integrity.invalidate_started', 'integrity.invalidated'])
    expect(audit[3]!.changes).toMatchObject({ previewed: 42, signatures: 42, countChange: -12, filter: { domain: 'flood.example', state: 'any' } })
  })

  it('invalidates tens of thousands in batches, exactly as previewed', async () => {
    const campaign = await createCampaign(getDb())
    const who = await actor()
    await sql`insert into signatures (campaign_id, full_name, email, email_index, email_domain, country, consent_version, state, confirmed_at, ip_hash, utm_source)
      select ${campaign.id}, 'Bot', 'bot' || n || '@flood.example', 'bot' || n || '@flood.example', 'flood.example', 'RU', 'test',
             case when n % 4 = 0 then 'confirmed' else 'held' end, case when n % 2 = 0 then now() end, ${fp(7)}, 'botnet'
      from generate_series(1, 20000) n`.execute(getDb())
    await sql`insert into signatures (campaign_id, full_name, email, email_index, email_domain, country, consent_version, state, confirmed_at, ip_hash)
      select ${campaign.id}, 'Real', 'real' || n || '@gmail.com', 'real' || n || '@gmail.com', 'gmail.com', 'GB', 'test', 'confirmed', now(), ${fp(8)}
      from generate_series(1, 500) n`.execute(getDb())
    expect(await countOf(campaign.id)).toBe(5500)
    const preview = await previewIntegrityAction(campaign.id, 'invalidate', filter({ source: 'botnet', state: 'any' }))
    expect(preview).toMatchObject({ rows: 20000, countChange: -5000 })
    const started = await startIntegrityAction(who, campaign.id, 'invalidate', preview.pinned, preview.rows)
    expect(started.background).toBe(true)
    const progress: number[] = []
    await runIntegrityAction(started.id, (n) => progress.push(n), 4000)
    expect(progress).toEqual([4000, 8000, 12000, 16000, 20000, 20000])
    expect(await countOf(campaign.id)).toBe(500)
    const action = await getDb().selectFrom('integrity_actions').selectAll().where('id', '=', started.id).executeTakeFirstOrThrow()
    expect(action).toMatchObject({ status: 'done', previewed: 20000, processed: 20000, count_change: -5000 })
    expect(await reconcileSignatureCounts()).toEqual([])
  })
})
