import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../support/factories'
import { queuedJobs } from '../support/jobs'
import { confirmSignature } from '~/models/signature.server'
import { foldConfirmedSignatures } from '~/models/signature-count.server'
import { removeSignature } from '~/models/supporter.server'
import { getDb } from '~/utils/db.server'
import { generateToken, hashToken } from '~/utils/security.server'

async function campaignWithMilestones(milestoneUpdates: boolean, thresholds: number[]) {
  const db = getDb()
  const campaign = await createCampaign(db, {
    title: 'Free the river',
    milestone_updates: milestoneUpdates,
    translations: { ru: { title: 'Свободу реке', summary: 'Кратко.', demand: 'Требуем.', target_name: 'Министр' } },
  })
  for (const threshold of thresholds) {
    const m = await db.insertInto('campaign_milestones').values({ campaign_id: campaign.id, threshold }).returning('id').executeTakeFirstOrThrow()
    await db
      .insertInto('campaign_milestone_translations')
      .values({ milestone_id: m.id, locale: 'en', description: `We hand in the first ${threshold}.` })
      .execute()
    if (threshold === 5) {
      await db.insertInto('campaign_milestone_translations').values({ milestone_id: m.id, locale: 'ru', description: 'Передаём первые пять.' }).execute()
    }
  }
  return campaign
}

/** Pending signatures with their confirmation tokens. */
async function pendingSignatures(campaignId: string, n: number) {
  const tokens: string[] = []
  for (let i = 0; i < n; i++) {
    const token = generateToken()
    await createSignature(getDb(), { campaign_id: campaignId, state: 'pending', confirmation_token_hash: hashToken(token) })
    tokens.push(token)
  }
  return tokens
}

async function drain() {
  while ((await foldConfirmedSignatures()).folded > 0) {
    // fold what the racing runs left
  }
}

const crossingsOf = (campaignId: string) =>
  getDb().selectFrom('campaign_milestone_crossings').selectAll().where('campaign_id', '=', campaignId).orderBy('threshold').execute()

const milestoneUpdatesOf = (campaignId: string) =>
  getDb().selectFrom('campaign_updates').selectAll().where('campaign_id', '=', campaignId).where('kind', '=', 'milestone').orderBy('id').execute()

describe('milestone crossings', () => {
  it('records each crossed milestone exactly once when confirmations and folds race, with one notice each', async () => {
    const campaign = await campaignWithMilestones(true, [3, 5, 10, 100])
    const tokens = await pendingSignatures(campaign.id, 12)
    // Twelve supporters confirm at once; after each confirmation a counter run folds (most of
    // them find the lock taken and step aside, as the job does).
    await Promise.all(
      tokens.map(async (token) => {
        expect((await confirmSignature(token)).status).toBe('confirmed')
        await foldConfirmedSignatures(2)
      }),
    )
    await drain()
    // A second wave of racing folds with nothing new changes nothing.
    await Promise.all([foldConfirmedSignatures(), foldConfirmedSignatures(), foldConfirmedSignatures()])

    const campaignRow = await getDb().selectFrom('campaigns').select('signature_count').where('id', '=', campaign.id).executeTakeFirstOrThrow()
    expect(campaignRow.signature_count).toBe(12)
    const crossings = await crossingsOf(campaign.id)
    expect(crossings.map((c) => c.threshold)).toEqual([3, 5, 10])
    for (const c of crossings) {
      expect(c.signature_count).toBeGreaterThanOrEqual(c.threshold)
      expect(c.crossed_at).toBeInstanceOf(Date)
    }

    const updates = await milestoneUpdatesOf(campaign.id)
    expect(updates).toHaveLength(3)
    expect(new Set(crossings.map((c) => c.update_id))).toEqual(new Set(updates.map((u) => u.id)))
    for (const u of updates) {
      expect(u.status).toBe('sending')
      expect(u.created_by).toBeNull()
    }
    // Each notice is being sent: one fan-out job per update.
    const jobs = await queuedJobs('send-campaign-update')
    expect(jobs.map((j) => String(j.payload.updateId)).sort()).toEqual(updates.map((u) => u.id).sort())

    // In every language of the campaign, with the milestone's own words where translated.
    const five = crossings.find((c) => c.threshold === 5)!
    const texts = await getDb().selectFrom('campaign_update_translations').selectAll().where('update_id', '=', five.update_id!).orderBy('locale').execute()
    expect(texts.map((t) => t.locale)).toEqual(['en', 'ru'])
    expect(texts[0]!.subject).toBe('Free the river: 5 signatures')
    expect(texts[0]!.body).toContain('We hand in the first 5.')
    expect(texts[1]!.subject).toBe('Свободу реке: 5 подписей')
    expect(texts[1]!.body).toContain('Передаём первые пять.')
    // No Russian description for 3: the base language's stands in.
    const three = crossings.find((c) => c.threshold === 3)!
    const ruThree = await getDb()
      .selectFrom('campaign_update_translations')
      .select('body')
      .where('update_id', '=', three.update_id!)
      .where('locale', '=', 'ru')
      .executeTakeFirstOrThrow()
    expect(ruThree.body).toContain('We hand in the first 3.')
    expect(ruThree.body).toContain('3 подписи')
  })

  it('records crossings but sends no notice when the campaign does not ask for them', async () => {
    const campaign = await campaignWithMilestones(false, [2, 4])
    const tokens = await pendingSignatures(campaign.id, 5)
    await Promise.all(
      tokens.map(async (token) => {
        await confirmSignature(token)
        await foldConfirmedSignatures(1)
      }),
    )
    await drain()
    expect((await crossingsOf(campaign.id)).map((c) => [c.threshold, c.update_id])).toEqual([
      [2, null],
      [4, null],
    ])
    expect(await milestoneUpdatesOf(campaign.id)).toEqual([])
    expect(await queuedJobs('send-campaign-update')).toEqual([])
  })

  it('does not un-cross on removal nor cross again when the count comes back', async () => {
    const campaign = await campaignWithMilestones(true, [2])
    const a = await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed' })
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed' })
    await foldConfirmedSignatures()
    const [first] = await crossingsOf(campaign.id)
    expect(first).toMatchObject({ threshold: 2, signature_count: 2 })

    expect((await removeSignature({ user: null, organisation: null }, campaign.id, a.id)).status).toBe('removed')
    expect(await crossingsOf(campaign.id)).toEqual([first])
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed' })
    await foldConfirmedSignatures()
    expect(await crossingsOf(campaign.id)).toEqual([first])
    expect(await milestoneUpdatesOf(campaign.id)).toHaveLength(1)
  })

  it('keeps counting and records the crossing when the notice cannot be created', async () => {
    const campaign = await campaignWithMilestones(true, [1])
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed' })
    // The updates table refuses every insert, as a bug in the updates pipeline might.
    await sql`create function refuse_update() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`.execute(getDb())
    await sql`create trigger refuse_update before insert on campaign_updates for each row execute function refuse_update()`.execute(getDb())
    try {
      expect(await foldConfirmedSignatures()).toEqual({ locked: true, folded: 1, campaigns: 1 })
    } finally {
      await sql`drop trigger refuse_update on campaign_updates`.execute(getDb())
      await sql`drop function refuse_update()`.execute(getDb())
    }
    expect((await getDb().selectFrom('campaigns').select('signature_count').where('id', '=', campaign.id).executeTakeFirstOrThrow()).signature_count).toBe(1)
    expect((await crossingsOf(campaign.id)).map((c) => [c.threshold, c.update_id])).toEqual([[1, null]])
    expect(await milestoneUpdatesOf(campaign.id)).toEqual([])
  })

  it('only counts a crossing the count actually makes: a milestone set below the count is not crossed later', async () => {
    const campaign = await campaignWithMilestones(true, [])
    for (let i = 0; i < 3; i++) await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed' })
    await foldConfirmedSignatures()
    await getDb()
      .insertInto('campaign_milestones')
      .values([
        { campaign_id: campaign.id, threshold: 2 },
        { campaign_id: campaign.id, threshold: 4 },
      ])
      .execute()
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed' })
    await foldConfirmedSignatures()
    expect((await crossingsOf(campaign.id)).map((c) => [c.threshold, c.signature_count])).toEqual([[4, 4]])
  })
})
