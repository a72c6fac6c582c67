import type { Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Database, UpdateKind, UpdateStatus } from '#db/types'
import { createCampaign } from '../support/factories'
import { callRoute } from '../support/routes'
import { getCampaignTimeline } from '~/models/timeline.server'
import { loader as apiLoader } from '~/routes/api.campaigns.$slug'
import { loader as campaignLoader } from '~/routes/campaigns.$slug'
import { getDb } from '~/utils/db.server'

const ru = (n: number) => new Intl.NumberFormat('ru').format(n)

async function addUpdate(
  db: Kysely<Database>,
  campaignId: string,
  {
    kind = 'update',
    status = 'sent',
    isPublic = true,
    sentAt,
    content,
  }: {
    kind?: UpdateKind
    status?: UpdateStatus
    isPublic?: boolean
    sentAt: string | null
    content: Record<string, { subject: string; body: string }>
  },
) {
  const update = await db
    .insertInto('campaign_updates')
    .values({ campaign_id: campaignId, kind, status, public: isPublic, sent_at: sentAt, created_at: sentAt ?? new Date() })
    .returning('id')
    .executeTakeFirstOrThrow()
  for (const [locale, c] of Object.entries(content)) {
    await db
      .insertInto('campaign_update_translations')
      .values({ update_id: update.id, locale, ...c })
      .execute()
  }
  return update.id
}

/** A campaign with one of each kind of event, and some that must not show. */
async function campaignWithHistory() {
  const db = getDb()
  const campaign = await createCampaign(db, {
    target_name: 'The Minister of Justice',
    translations: { ru: { title: 'Свободу защитникам', summary: 'Кратко.', demand: 'Требуем.', target_name: 'Министр юстиции' } },
  })
  await addUpdate(db, campaign.id, {
    sentAt: '2026-03-01T10:00:00Z',
    content: {
      en: { subject: 'We met the minister', body: 'It went **well** & quickly.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))' },
      ru: { subject: 'Мы встретились с министром', body: 'Всё прошло **хорошо**.' },
    },
  })
  // English only: the Russian reader gets the base language.
  await addUpdate(db, campaign.id, { sentAt: '2026-03-05T09:00:00Z', content: { en: { subject: 'A second update', body: 'Only in English.' } } })
  // Never shown: a draft, one being sent, a private one, and a milestone notice (the crossing shows instead).
  await addUpdate(db, campaign.id, { status: 'draft', sentAt: null, content: { en: { subject: 'Draft secret', body: 'x' } } })
  await addUpdate(db, campaign.id, { status: 'sending', sentAt: null, content: { en: { subject: 'Sending secret', body: 'x' } } })
  await addUpdate(db, campaign.id, { isPublic: false, sentAt: '2026-03-06T09:00:00Z', content: { en: { subject: 'Private secret', body: 'x' } } })
  await addUpdate(db, campaign.id, { kind: 'milestone', sentAt: '2026-03-02T09:00:00Z', content: { en: { subject: 'Notice secret', body: 'x' } } })

  const milestone = await db.insertInto('campaign_milestones').values({ campaign_id: campaign.id, threshold: 1000 }).returning('id').executeTakeFirstOrThrow()
  await db.insertInto('campaign_milestone_translations').values({ milestone_id: milestone.id, locale: 'en', description: 'We deliver the petition.' }).execute()
  await db.insertInto('campaign_milestone_translations').values({ milestone_id: milestone.id, locale: 'ru', description: 'Мы передаём петицию.' }).execute()
  await db
    .insertInto('campaign_milestone_crossings')
    .values({ milestone_id: milestone.id, campaign_id: campaign.id, threshold: 1000, signature_count: 1003, crossed_at: '2026-03-02T12:00:00Z' })
    .execute()
  await db
    .insertInto('campaign_deliveries')
    .values({
      campaign_id: campaign.id,
      delivered_on: '2026-03-10',
      recipient: 'Ministry of Justice',
      method: 'in_person',
      signature_count: 1200,
      notes: 'Private note',
    })
    .execute()
  await db
    .insertInto('campaign_responses')
    .values({
      campaign_id: campaign.id,
      responded_on: '2026-03-12',
      body: 'We will review the cases.\nSecond line.',
      source_url: 'https://gov.example/statement',
    })
    .execute()
  await db
    .insertInto('campaign_responses')
    .values({ campaign_id: campaign.id, responded_on: '2026-03-03', body: 'We received it.', source_url: null })
    .execute()
  // Another campaign's events stay there.
  const other = await createCampaign(db)
  await db.insertInto('campaign_responses').values({ campaign_id: other.id, responded_on: '2026-03-20', body: 'Other campaign', source_url: null }).execute()
  return campaign
}

describe('getCampaignTimeline', () => {
  it('merges sent public updates, crossings, deliveries and responses, newest first', async () => {
    const campaign = await campaignWithHistory()
    const items = await getCampaignTimeline(campaign.id, 'en')
    expect(items.map((i) => [i.type, i.date])).toEqual([
      ['response', '2026-03-12'],
      ['delivery', '2026-03-10'],
      ['update', '2026-03-05T09:00:00.000Z'],
      ['response', '2026-03-03'],
      ['milestone', '2026-03-02T12:00:00.000Z'],
      ['update', '2026-03-01T10:00:00.000Z'],
    ])
    expect(items[0]).toEqual({
      type: 'response',
      date: '2026-03-12',
      title: 'The Minister of Justice responded',
      text: 'We will review the cases.\nSecond line.',
      locale: 'en',
      url: 'https://gov.example/statement',
    })
    expect(items[1]).toMatchObject({
      title: 'Signatures delivered to Ministry of Justice',
      text: '1,200 signatures were delivered to Ministry of Justice in person.',
    })
    expect(items[4]).toMatchObject({ title: '1,000 signatures reached', text: 'We deliver the petition.' })
    expect(JSON.stringify(items)).not.toMatch(/secret|Private note|Other campaign/)
  })

  it('sanitises update bodies: HTML without scripts, and plain text', async () => {
    const campaign = await campaignWithHistory()
    const update = (await getCampaignTimeline(campaign.id, 'en')).find((i) => i.title === 'We met the minister')!
    expect(update.html).toContain('<strong>well</strong>')
    expect(update.html).not.toMatch(/<script|alert\(1\)|href="javascript:/)
    // A link to a javascript: address is not made a link at all: it stays the text typed.
    expect(update.text).toBe('It went well & quickly.\n\n[x](javascript:alert(2))')
  })

  it('speaks the reader’s language, falling back to the campaign’s base language', async () => {
    const campaign = await campaignWithHistory()
    const items = await getCampaignTimeline(campaign.id, 'ru')
    const updates = items.filter((i) => i.type === 'update')
    expect(updates.map((u) => [u.title, u.locale])).toEqual([
      ['A second update', 'en'],
      ['Мы встретились с министром', 'ru'],
    ])
    expect(items.find((i) => i.type === 'milestone')).toMatchObject({ title: `Собрано ${ru(1000)} подписей`, text: 'Мы передаём петицию.', locale: 'ru' })
    expect(items.find((i) => i.type === 'response')).toMatchObject({ title: 'Ответ: Министр юстиции' })
    expect(items.find((i) => i.type === 'delivery')!.text).toBe(`${ru(1200)} подписей вручены адресату (Ministry of Justice) лично.`)
  })
})

describe('the public campaign page and JSON', () => {
  it('put the timeline in the JSON (type, date, text, title, url) and on the page, with the latest response', async () => {
    const campaign = await campaignWithHistory()
    const json = await callRoute(apiLoader, { url: `/api/campaigns/${campaign.slug}`, params: { slug: campaign.slug } })
    expect(json.status).toBe(200)
    expect(json.data.timeline).toHaveLength(6)
    expect(json.data.timeline[0]).toEqual({
      type: 'response',
      date: '2026-03-12',
      title: 'The Minister of Justice responded',
      text: 'We will review the cases.\nSecond line.',
      url: 'https://gov.example/statement',
    })
    expect(json.data.timeline.find((i: { type: string }) => i.type === 'update')).toEqual({
      type: 'update',
      date: '2026-03-05T09:00:00.000Z',
      title: 'A second update',
      text: 'Only in English.',
      url: null,
    })
    // The fields partners already read are still there.
    expect(json.data).toMatchObject({ slug: campaign.slug, signatureCount: 0, signaturesByCountry: {}, donations: null })

    const russian = await callRoute(apiLoader, { url: `/api/campaigns/${campaign.slug}?lang=ru`, params: { slug: campaign.slug } })
    expect(russian.data.timeline.find((i: { type: string }) => i.type === 'milestone').text).toBe('Мы передаём петицию.')

    const page = await callRoute(campaignLoader, { url: `/campaigns/${campaign.slug}`, params: { slug: campaign.slug } })
    expect(page.status).toBe(200)
    expect(page.data.timeline.map((i: { type: string }) => i.type)).toEqual(['response', 'delivery', 'update', 'response', 'milestone', 'update'])
    expect(page.data.latestResponse).toMatchObject({ date: '2026-03-12', text: 'We will review the cases.\nSecond line.' })
  })

  it('shows an empty timeline for a campaign with no history', async () => {
    const campaign = await createCampaign(getDb())
    const json = await callRoute(apiLoader, { url: `/api/campaigns/${campaign.slug}`, params: { slug: campaign.slug } })
    expect(json.data.timeline).toEqual([])
    const page = await callRoute(campaignLoader, { url: `/campaigns/${campaign.slug}`, params: { slug: campaign.slug } })
    expect(page.data.latestResponse).toBeNull()
  })
})
