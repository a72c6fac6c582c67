import { sql } from 'kysely'
import type { CampaignStatus } from '#db/types'
import { LOCALE_FIELDS, type LocaleContent } from '~/models/campaign-fields'
import type { AdminContext } from '~/utils/permissions'
import { getDb, type Executor } from '~/utils/db.server'
import { isLocale, type Locale } from '~/utils/i18n'

// A campaign as the workspace edits it: every locale's texts, the settings and milestones, at one
// version (decision 0008), read only within the person's organisation.

export interface CampaignSettings {
  slug: string
  signature_goal: number
  /** ISO timestamp or null. */
  closes_at: string | null
  show_recent_signers: boolean
  /** Null: the organisation's currency. */
  donation_currency: string | null
  /** Minor units; null: the organisation's presets. */
  donation_presets: number[] | null
  show_donation_totals: boolean
  /** Signers who opted in are emailed when a milestone is crossed (decision 0012). */
  milestone_updates: boolean
}

export interface MilestoneState {
  threshold: number
  descriptions: Partial<Record<Locale, string>>
}

/** Everything the editor changes, as stored at one version: compared to say what changed. */
export interface CampaignSnapshot {
  settings: CampaignSettings
  content: Partial<Record<Locale, LocaleContent>>
  milestones: MilestoneState[]
  /** The hero image's hash, or null. */
  image: string | null
}

export interface EditableCampaign extends CampaignSnapshot {
  id: string
  organisationId: string
  status: CampaignStatus
  baseLocale: Locale
  version: number
  signatureCount: number
  closedAt: Date | null
  updatedAt: Date
  heroImage: { id: string; sha256: string; contentType: string; width: number | null; height: number | null; byteSize: number } | null
  organisationDonation: { currency: string; presets: number[] }
}

export async function loadEditable(executor: Executor, campaignId: string, organisationId: string, forUpdate = false) {
  if (!/^\d{1,18}$/.test(campaignId)) return null
  let query = executor
    .selectFrom('campaigns as c')
    .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
    .leftJoin('campaign_images as img', 'img.id', 'c.hero_image_id')
    .select([
      'c.id',
      'c.organisation_id',
      'c.status',
      'c.locale',
      'c.version',
      'c.slug',
      'c.signature_goal',
      'c.closes_at',
      'c.closed_at',
      'c.show_recent_signers',
      'c.donation_currency',
      'c.donation_presets',
      'c.show_donation_totals',
      'c.milestone_updates',
      'c.signature_count',
      'c.updated_at',
      ...LOCALE_FIELDS.map((f) => `c.${f}` as const),
      'o.donation_currency as organisation_currency',
      'o.donation_presets as organisation_presets',
      'img.id as image_id',
      'img.sha256 as image_sha256',
      'img.content_type as image_content_type',
      'img.width as image_width',
      'img.height as image_height',
      'img.byte_size as image_byte_size',
    ])
    .where('c.id', '=', campaignId)
    .where('c.organisation_id', '=', organisationId)
  if (forUpdate) query = query.forUpdate('c')
  const row = await query.executeTakeFirst()
  if (!row) return null
  const [translations, milestoneRows] = await Promise.all([
    executor.selectFrom('campaign_translations').selectAll().where('campaign_id', '=', campaignId).execute(),
    executor
      .selectFrom('campaign_milestones as m')
      .leftJoin('campaign_milestone_translations as mt', 'mt.milestone_id', 'm.id')
      .select(['m.id', 'm.threshold', 'mt.locale', 'mt.description'])
      .where('m.campaign_id', '=', campaignId)
      .orderBy('m.threshold')
      .execute(),
  ])
  const baseLocale: Locale = isLocale(row.locale) ? row.locale : 'en'
  const content: Partial<Record<Locale, LocaleContent>> = {
    [baseLocale]: Object.fromEntries(LOCALE_FIELDS.map((f) => [f, row[f]])) as LocaleContent,
  }
  for (const t of translations) {
    if (!isLocale(t.locale) || t.locale === baseLocale) continue
    content[t.locale] = Object.fromEntries(LOCALE_FIELDS.map((f) => [f, t[f]])) as LocaleContent
  }
  const milestones: MilestoneState[] = []
  for (const m of milestoneRows) {
    let entry = milestones.find((x) => x.threshold === m.threshold)
    if (!entry) milestones.push((entry = { threshold: m.threshold, descriptions: {} }))
    if (m.locale && isLocale(m.locale) && m.description !== null) entry.descriptions[m.locale] = m.description
  }
  const campaign: EditableCampaign = {
    id: row.id,
    organisationId: row.organisation_id,
    status: row.status,
    baseLocale,
    version: row.version,
    signatureCount: row.signature_count,
    closedAt: row.closed_at,
    updatedAt: row.updated_at,
    settings: {
      slug: row.slug,
      signature_goal: row.signature_goal,
      closes_at: row.closes_at ? row.closes_at.toISOString() : null,
      show_recent_signers: row.show_recent_signers,
      donation_currency: row.donation_currency,
      donation_presets: row.donation_presets,
      show_donation_totals: row.show_donation_totals,
      milestone_updates: row.milestone_updates,
    },
    content,
    milestones,
    image: row.image_sha256 ?? null,
    heroImage:
      row.image_id && row.image_sha256
        ? {
            id: row.image_id,
            sha256: row.image_sha256,
            contentType: row.image_content_type!,
            width: row.image_width,
            height: row.image_height,
            byteSize: row.image_byte_size!,
          }
        : null,
    organisationDonation: { currency: row.organisation_currency, presets: row.organisation_presets },
  }
  return campaign
}

/**
 * The campaign behind an admin URL, only within the person's organisation: null whether the
 * campaign does not exist or belongs to someone else (decision 0006), so both answer the same.
 */
export async function findAdminCampaign(
  admin: Pick<AdminContext, 'organisation'>,
  campaignId: string | undefined,
  executor: Executor = getDb(),
): Promise<EditableCampaign | null> {
  return await loadEditable(executor, campaignId ?? '', admin.organisation.id)
}

export function snapshotOf(campaign: CampaignSnapshot): CampaignSnapshot {
  return {
    settings: { ...campaign.settings },
    content: Object.fromEntries(Object.entries(campaign.content).map(([l, c]) => [l, { ...c }])),
    milestones: campaign.milestones.map((m) => ({ threshold: m.threshold, descriptions: { ...m.descriptions } })),
    image: campaign.image,
  }
}

export interface AdminCampaignListItem {
  id: string
  slug: string
  status: CampaignStatus
  title: string
  baseLocale: string
  confirmedCount: number
  pendingCount: number
  todayCount: number
  closesAt: Date | null
  createdAt: Date
}

/**
 * The organisation's campaigns, newest first, with their counts: confirmed (the cached count),
 * pending and confirmed since midnight UTC, each an index-only count per campaign.
 */
export async function listAdminCampaigns(organisationId: string, executor: Executor = getDb()): Promise<AdminCampaignListItem[]> {
  const rows = await executor
    .selectFrom('campaigns as c')
    .select([
      'c.id',
      'c.slug',
      'c.status',
      'c.title',
      'c.locale',
      'c.signature_count',
      'c.closes_at',
      'c.created_at',
      sql<number>`(select count(*)::int from signatures s where s.campaign_id = c.id and s.state = 'pending')`.as('pending_count'),
      sql<number>`(select count(*)::int from signatures s
        where s.campaign_id = c.id and s.state = 'confirmed'
          and s.confirmed_at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC')`.as('today_count'),
    ])
    .where('c.organisation_id', '=', organisationId)
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(500)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    status: r.status,
    title: r.title,
    baseLocale: r.locale,
    confirmedCount: r.signature_count,
    pendingCount: r.pending_count,
    todayCount: r.today_count,
    closesAt: r.closes_at,
    createdAt: r.created_at,
  }))
}
