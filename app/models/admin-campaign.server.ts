import { sql } from 'kysely'
import type { CampaignStatus } from '#db/types'
import type { CheckedImage } from '~/models/campaign-image.server'
import { recordAudit } from '~/models/audit.server'
import type { AdminContext } from '~/utils/permissions'
import { getDb, type Executor, type Tx } from '~/utils/db.server'
import { isLocale, LOCALES, type Locale, type MessageKey } from '~/utils/i18n'
import { minorToInput, parseMajorAmount } from '~/utils/money'

// The workspace's side of a campaign: listing, drafting, editing per locale with an optimistic
// lock, publishing, closing and slug changes. Rules and reasons: docs/decisions/0008-campaign-editing.md.

/** Texts that exist once per locale. The base locale's live on `campaigns`, the others' on `campaign_translations`. */
export const LOCALE_FIELDS = [
  'title',
  'summary',
  'story',
  'target_name',
  'target_role',
  'demand',
  'hero_image_alt',
  'consent_updates_text',
  'consent_show_name_text',
] as const
export type LocaleField = (typeof LOCALE_FIELDS)[number]
export type LocaleContent = Record<LocaleField, string>

export const SETTING_FIELDS = [
  'slug',
  'signature_goal',
  'closes_at',
  'show_recent_signers',
  'donation_currency',
  'donation_presets',
  'show_donation_totals',
  'milestone_updates',
] as const
export type SettingField = (typeof SETTING_FIELDS)[number]

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

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
export const SLUG_MAX = 80
export const DEFAULT_SIGNATURE_GOAL = 1000
/** Currencies offered in the editor; null (the organisation's) is offered beside them. */
export const DONATION_CURRENCIES = ['EUR', 'GBP', 'USD', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'CAD', 'AUD', 'JPY'] as const

const emptyContent = (): LocaleContent => Object.fromEntries(LOCALE_FIELDS.map((f) => [f, ''])) as LocaleContent

// ---------------------------------------------------------------------------------------------
// Reading

async function loadEditable(executor: Executor, campaignId: string, organisationId: string, forUpdate = false) {
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

// ---------------------------------------------------------------------------------------------
// What is missing

export type MissingKey = MessageKey

/** What must be filled in (in the base locale) before the campaign can go live; empty when complete. */
export function missingForPublishing(campaign: EditableCampaign, now = new Date()): MissingKey[] {
  const base = campaign.content[campaign.baseLocale] ?? emptyContent()
  const missing: MissingKey[] = []
  if (!base.title.trim()) missing.push('admin.missing.title')
  if (!base.summary.trim()) missing.push('admin.missing.summary')
  if (!base.story.trim()) missing.push('admin.missing.story')
  if (!base.target_name.trim()) missing.push('admin.missing.targetName')
  if (!base.demand.trim()) missing.push('admin.missing.demand')
  if (!(campaign.settings.signature_goal > 0)) missing.push('admin.missing.goal')
  if (campaign.settings.closes_at && new Date(campaign.settings.closes_at) <= now) missing.push('admin.missing.closesInPast')
  if (campaign.image && !base.hero_image_alt.trim()) missing.push('admin.missing.imageAlt')
  if (campaign.milestones.some((m) => !m.descriptions[campaign.baseLocale]?.trim())) missing.push('admin.missing.milestoneText')
  return missing
}

const FIELD_LABELS: Record<LocaleField, MessageKey> = {
  title: 'admin.field.title',
  summary: 'admin.field.summary',
  story: 'admin.field.story',
  target_name: 'admin.field.targetName',
  target_role: 'admin.field.targetRole',
  demand: 'admin.field.demand',
  hero_image_alt: 'admin.field.heroImageAlt',
  consent_updates_text: 'admin.field.consentUpdatesText',
  consent_show_name_text: 'admin.field.consentShowNameText',
}

/**
 * Per other locale, the texts the base locale has and that locale lacks. A translation shows on
 * the public page only once its title, summary, story, target and demand are all there.
 */
export function missingTranslations(campaign: EditableCampaign): Partial<Record<Locale, MessageKey[]>> {
  const base = campaign.content[campaign.baseLocale] ?? emptyContent()
  const result: Partial<Record<Locale, MessageKey[]>> = {}
  for (const locale of LOCALES) {
    if (locale === campaign.baseLocale) continue
    const translation = campaign.content[locale] ?? emptyContent()
    const missing: MessageKey[] = []
    for (const field of LOCALE_FIELDS) {
      if (field === 'hero_image_alt' && !campaign.image) continue
      if (base[field].trim() && !translation[field].trim()) missing.push(FIELD_LABELS[field])
    }
    if (campaign.milestones.some((m) => m.descriptions[campaign.baseLocale]?.trim() && !m.descriptions[locale]?.trim())) {
      missing.push('admin.field.milestones')
    }
    result[locale] = missing
  }
  return result
}

// ---------------------------------------------------------------------------------------------
// What changed

export type ChangeField = LocaleField | SettingField | 'milestones' | 'image'

export interface CampaignChange {
  field: ChangeField
  locale: Locale | null
  before: unknown
  after: unknown
}

export const CHANGE_LABELS: Record<ChangeField, MessageKey> = {
  ...FIELD_LABELS,
  slug: 'admin.field.slug',
  signature_goal: 'admin.field.signatureGoal',
  closes_at: 'admin.field.closesAt',
  show_recent_signers: 'admin.field.showRecentSigners',
  donation_currency: 'admin.field.donationCurrency',
  donation_presets: 'admin.field.donationPresets',
  show_donation_totals: 'admin.field.showDonationTotals',
  milestone_updates: 'admin.field.milestoneUpdates',
  milestones: 'admin.field.milestones',
  image: 'admin.field.heroImage',
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

// Revisions saved before a setting existed lack it: they are read as its default.
const SETTING_DEFAULTS: Partial<CampaignSettings> = { milestone_updates: false }

/** The fields that differ between two snapshots, settings first, then each locale's texts. */
export function diffSnapshots(before: CampaignSnapshot, after: CampaignSnapshot): CampaignChange[] {
  const changes: CampaignChange[] = []
  for (const field of SETTING_FIELDS) {
    const a = before.settings[field] ?? SETTING_DEFAULTS[field]
    const b = after.settings[field] ?? SETTING_DEFAULTS[field]
    if (!same(a, b)) changes.push({ field, locale: null, before: a, after: b })
  }
  for (const locale of LOCALES) {
    const a = before.content[locale] ?? emptyContent()
    const b = after.content[locale] ?? emptyContent()
    for (const field of LOCALE_FIELDS) {
      if (a[field] !== b[field]) changes.push({ field, locale, before: a[field], after: b[field] })
    }
  }
  const milestones = (s: CampaignSnapshot) =>
    s.milestones.map((m) => ({ threshold: m.threshold, descriptions: Object.fromEntries(LOCALES.map((l) => [l, m.descriptions[l] ?? ''])) }))
  if (!same(milestones(before), milestones(after))) {
    changes.push({ field: 'milestones', locale: null, before: milestones(before), after: milestones(after) })
  }
  if (before.image !== after.image) changes.push({ field: 'image', locale: null, before: before.image, after: after.image })
  return changes
}

const shorten = (value: unknown) => (typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}…` : value)

/** The audit log's "what changed": long texts cut short (their full history is in campaign_revisions). */
function auditChanges(changes: CampaignChange[]) {
  return Object.fromEntries(changes.map((c) => [c.locale ? `${c.field}.${c.locale}` : c.field, { from: shorten(c.before), to: shorten(c.after) }]))
}

// ---------------------------------------------------------------------------------------------
// Slugs

/** A slug from a title: Cyrillic transliterated, everything else not a letter or digit a hyphen. */
export function slugify(title: string): string {
  const map: Record<string, string> = {
    а: 'a',
    б: 'b',
    в: 'v',
    г: 'g',
    д: 'd',
    е: 'e',
    ё: 'e',
    ж: 'zh',
    з: 'z',
    и: 'i',
    й: 'y',
    к: 'k',
    л: 'l',
    м: 'm',
    н: 'n',
    о: 'o',
    п: 'p',
    р: 'r',
    с: 's',
    т: 't',
    у: 'u',
    ф: 'f',
    х: 'kh',
    ц: 'ts',
    ч: 'ch',
    ш: 'sh',
    щ: 'shch',
    ъ: '',
    ы: 'y',
    ь: '',
    э: 'e',
    ю: 'yu',
    я: 'ya',
  }
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[а-яё]/g, (ch) => map[ch] ?? '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  return slug || 'campaign'
}

// Slugs must be unique across two tables (current slugs and redirects): changes take this lock.
async function lockSlugs(tx: Tx) {
  await sql`select pg_advisory_xact_lock(hashtext('chorus:campaign-slugs'))`.execute(tx)
}

/** Whether a slug is free for this campaign: nobody else's current slug and nobody else's old one. */
async function slugIsFree(tx: Tx, slug: string, campaignId: string | null): Promise<boolean> {
  const current = await tx.selectFrom('campaigns').select('id').where('slug', '=', slug).executeTakeFirst()
  if (current && current.id !== campaignId) return false
  const redirect = await tx.selectFrom('campaign_slug_redirects').select('campaign_id').where('slug', '=', slug).executeTakeFirst()
  return !redirect || redirect.campaign_id === campaignId
}

async function freeSlugFrom(tx: Tx, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base.slice(0, SLUG_MAX - String(n).length - 1)}-${n}`
    if (await slugIsFree(tx, candidate, null)) return candidate
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

async function insertRevision(tx: Tx, campaignId: string, version: number, snapshot: CampaignSnapshot, userId: string | null) {
  await tx
    .insertInto('campaign_revisions')
    .values({ campaign_id: campaignId, version, snapshot: JSON.stringify(snapshot), user_id: userId })
    .onConflict((oc) => oc.columns(['campaign_id', 'version']).doNothing())
    .execute()
}

/** A new draft with only a title: everything else is filled in in the editor. */
export async function createDraft(admin: AdminContext, input: { title: string; locale: Locale }): Promise<{ id: string; slug: string }> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      await lockSlugs(tx)
      const slug = await freeSlugFrom(tx, slugify(input.title))
      const row = await tx
        .insertInto('campaigns')
        .values({
          organisation_id: admin.organisation.id,
          slug,
          locale: input.locale,
          title: input.title,
          summary: '',
          story: '',
          target_name: '',
          target_role: '',
          demand: '',
          signature_goal: DEFAULT_SIGNATURE_GOAL,
          status: 'draft',
          show_recent_signers: true,
        })
        .returning(['id', 'slug'])
        .executeTakeFirstOrThrow()
      const campaign = (await loadEditable(tx, row.id, admin.organisation.id))!
      await insertRevision(tx, row.id, campaign.version, snapshotOf(campaign), admin.user.id)
      await recordAudit(tx, admin, {
        action: 'campaign.created',
        subjectType: 'campaign',
        subjectId: row.id,
        changes: { title: { from: null, to: input.title }, slug: { from: null, to: slug }, locale: { from: null, to: input.locale } },
      })
      return row
    })
}

/** What the editor sends for one locale. Settings are shared by all locales. */
export interface CampaignEditValues {
  content: LocaleContent
  settings: Omit<CampaignSettings, 'closes_at'> & { closes_at: Date | null }
  /** In the base locale the whole list (thresholds and texts); elsewhere only texts, by threshold. */
  milestones: { threshold: number; description: string }[]
  /** undefined keeps the image, null removes it, an image replaces it. */
  image?: CheckedImage | null
}

export type UpdateResult =
  | { status: 'not-found' }
  | { status: 'saved'; version: number; changes: CampaignChange[] }
  | { status: 'unchanged'; version: number }
  | { status: 'slug-taken' }
  | {
      status: 'conflict'
      version: number
      /** Null when the version the editor started from is no longer known. */
      changes: CampaignChange[] | null
      by: { email: string; name: string | null }[]
    }

/**
 * Saves one locale's texts and the shared settings, if nobody has saved since `expectedVersion`.
 * A stale save writes nothing and answers with what changed since that version and who changed it.
 * Every save is one transaction: the campaign, its revision and its audit event.
 */
export async function updateCampaignContent(
  admin: AdminContext,
  campaignId: string,
  locale: Locale,
  values: CampaignEditValues,
  expectedVersion: number,
): Promise<UpdateResult> {
  return await getDb()
    .transaction()
    .execute(async (tx): Promise<UpdateResult> => {
      const before = await loadEditable(tx, campaignId, admin.organisation.id, true)
      if (!before) return { status: 'not-found' }
      if (before.version !== expectedVersion) return await conflict(tx, before, expectedVersion)

      const isBase = locale === before.baseLocale
      const settings = values.settings
      const newSlug = settings.slug
      if (newSlug !== before.settings.slug) {
        await lockSlugs(tx)
        if (!(await slugIsFree(tx, newSlug, campaignId))) return { status: 'slug-taken' }
        await tx.deleteFrom('campaign_slug_redirects').where('slug', '=', newSlug).where('campaign_id', '=', campaignId).execute()
        await tx.insertInto('campaign_slug_redirects').values({ slug: before.settings.slug, campaign_id: campaignId }).execute()
      }

      await tx
        .updateTable('campaigns')
        .set({
          slug: newSlug,
          signature_goal: settings.signature_goal,
          closes_at: settings.closes_at,
          show_recent_signers: settings.show_recent_signers,
          donation_currency: settings.donation_currency,
          donation_presets: settings.donation_presets,
          show_donation_totals: settings.show_donation_totals,
          milestone_updates: settings.milestone_updates,
          ...(isBase ? values.content : {}),
        })
        .where('id', '=', campaignId)
        .execute()
      if (!isBase) {
        await tx
          .insertInto('campaign_translations')
          .values({ campaign_id: campaignId, locale, ...values.content })
          .onConflict((oc) => oc.columns(['campaign_id', 'locale']).doUpdateSet({ ...values.content, updated_at: sql`now()` }))
          .execute()
      }
      await saveMilestones(tx, campaignId, locale, isBase, values.milestones)
      if (values.image !== undefined) await replaceImage(tx, campaignId, before.heroImage?.id ?? null, values.image, admin.user.id)

      const afterRead = (await loadEditable(tx, campaignId, admin.organisation.id))!
      const changes = diffSnapshots(before, afterRead)
      if (changes.length === 0) {
        // Nothing differs: no new version, so nobody else's open editor goes stale for nothing.
        return { status: 'unchanged', version: before.version }
      }
      const version = before.version + 1
      const consentChanged = changes.some((c) => c.field === 'consent_updates_text' || c.field === 'consent_show_name_text')
      await tx
        .updateTable('campaigns')
        .set({
          version,
          updated_at: sql`now()`,
          // Signatures record which wording they agreed to; the revision at this version holds it.
          ...(consentChanged ? { consent_version: `campaign-${campaignId}-v${version}` } : {}),
        })
        .where('id', '=', campaignId)
        .execute()
      // Campaigns older than the editor have no first revision: keep it before the new one.
      await insertRevision(tx, campaignId, before.version, snapshotOf(before), null)
      await insertRevision(tx, campaignId, version, snapshotOf(afterRead), admin.user.id)
      await recordAudit(tx, admin, {
        action: 'campaign.updated',
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: { version: { from: before.version, to: version }, ...auditChanges(changes) },
      })
      return { status: 'saved', version, changes }
    })
}

async function conflict(tx: Tx, current: EditableCampaign, expectedVersion: number): Promise<UpdateResult> {
  const [revision, authors] = await Promise.all([
    tx.selectFrom('campaign_revisions').select('snapshot').where('campaign_id', '=', current.id).where('version', '=', expectedVersion).executeTakeFirst(),
    tx
      .selectFrom('campaign_revisions as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select(['u.email', 'u.name'])
      .distinct()
      .where('r.campaign_id', '=', current.id)
      .where('r.version', '>', expectedVersion)
      .orderBy('u.email')
      .execute(),
  ])
  return {
    status: 'conflict',
    version: current.version,
    changes: revision ? diffSnapshots(revision.snapshot as unknown as CampaignSnapshot, current) : null,
    by: authors,
  }
}

async function saveMilestones(tx: Tx, campaignId: string, locale: Locale, isBase: boolean, milestones: { threshold: number; description: string }[]) {
  const existing = await tx.selectFrom('campaign_milestones').select(['id', 'threshold']).where('campaign_id', '=', campaignId).execute()
  const byThreshold = new Map(existing.map((m) => [m.threshold, m.id]))
  if (isBase) {
    const keep = new Set(milestones.map((m) => m.threshold))
    const gone = existing.filter((m) => !keep.has(m.threshold)).map((m) => m.id)
    if (gone.length) await tx.deleteFrom('campaign_milestones').where('id', 'in', gone).execute()
    for (const m of milestones) {
      if (byThreshold.has(m.threshold)) continue
      const row = await tx
        .insertInto('campaign_milestones')
        .values({ campaign_id: campaignId, threshold: m.threshold })
        .returning('id')
        .executeTakeFirstOrThrow()
      byThreshold.set(m.threshold, row.id)
    }
  }
  for (const m of milestones) {
    const id = byThreshold.get(m.threshold)
    // A translation names only existing milestones; the base locale decides which exist.
    if (!id) continue
    await tx
      .insertInto('campaign_milestone_translations')
      .values({ milestone_id: id, locale, description: m.description })
      .onConflict((oc) => oc.columns(['milestone_id', 'locale']).doUpdateSet({ description: m.description }))
      .execute()
  }
}

async function replaceImage(tx: Tx, campaignId: string, oldImageId: string | null, image: CheckedImage | null, userId: string) {
  let newId: string | null = null
  if (image) {
    const row = await tx
      .insertInto('campaign_images')
      .values({
        campaign_id: campaignId,
        content_type: image.contentType,
        bytes: image.bytes,
        byte_size: image.bytes.length,
        sha256: image.sha256,
        width: image.width,
        height: image.height,
        created_by: userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    newId = row.id
  }
  await tx.updateTable('campaigns').set({ hero_image_id: newId }).where('id', '=', campaignId).execute()
  // The old image's URL was cached "immutable" for a year; browsers keep their copy, we need not.
  if (oldImageId) await tx.deleteFrom('campaign_images').where('id', '=', oldImageId).execute()
}

export type PublishResult = { status: 'not-found' } | { status: 'published' } | { status: 'already-live' } | { status: 'incomplete'; missing: MissingKey[] }

/** Puts a draft (or a closed campaign, reopened) live when it is complete; otherwise says what is missing. */
export async function publishCampaign(admin: AdminContext, campaignId: string, now = new Date()): Promise<PublishResult> {
  return await getDb()
    .transaction()
    .execute(async (tx): Promise<PublishResult> => {
      const campaign = await loadEditable(tx, campaignId, admin.organisation.id, true)
      if (!campaign) return { status: 'not-found' }
      if (campaign.status === 'live') return { status: 'already-live' }
      const missing = missingForPublishing(campaign, now)
      if (missing.length) return { status: 'incomplete', missing }
      await tx
        .updateTable('campaigns')
        .set({ status: 'live', closed_at: null, updated_at: sql`now()` })
        .where('id', '=', campaignId)
        .execute()
      await recordAudit(tx, admin, {
        action: 'campaign.published',
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: { status: { from: campaign.status, to: 'live' } },
      })
      return { status: 'published' }
    })
}

export type CloseResult = { status: 'not-found' } | { status: 'closed' } | { status: 'not-live' }

/** Stops a live campaign taking signatures; its page stays up with the final count. */
export async function closeCampaign(admin: AdminContext, campaignId: string): Promise<CloseResult> {
  return await getDb()
    .transaction()
    .execute(async (tx): Promise<CloseResult> => {
      const campaign = await loadEditable(tx, campaignId, admin.organisation.id, true)
      if (!campaign) return { status: 'not-found' }
      if (campaign.status !== 'live') return { status: 'not-live' }
      await tx
        .updateTable('campaigns')
        .set({ status: 'closed', closed_at: sql`now()`, updated_at: sql`now()` })
        .where('id', '=', campaignId)
        .execute()
      await recordAudit(tx, admin, {
        action: 'campaign.closed',
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: { status: { from: 'live', to: 'closed' } },
      })
      return { status: 'closed' }
    })
}

/**
 * Closes every live campaign whose closing date has passed, each audited as a system action
 * (no person) in its organisation's log. Returns the ids closed.
 */
export async function closeDueCampaigns(now = new Date(), executor = getDb()): Promise<string[]> {
  return await executor.transaction().execute(async (tx) => {
    const closed = await tx
      .updateTable('campaigns')
      .set({ status: 'closed', closed_at: now, updated_at: sql`now()` })
      .where('status', '=', 'live')
      .where('closes_at', 'is not', null)
      .where('closes_at', '<=', now)
      .returning(['id', 'organisation_id', 'closes_at'])
      .execute()
    for (const c of closed) {
      // No person acted: Chorus itself, in the campaign's organisation log.
      await recordAudit(
        tx,
        { user: null, organisation: { id: c.organisation_id } },
        {
          action: 'campaign.closed_automatically',
          subjectType: 'campaign',
          subjectId: c.id,
          changes: { status: { from: 'live', to: 'closed' }, closes_at: c.closes_at?.toISOString() ?? null },
        },
      )
    }
    return closed.map((c) => c.id)
  })
}

// ---------------------------------------------------------------------------------------------
// Donation presets as people type them

/** "5, 10, 25.50" in major units of the currency → minor units; null when an amount is not valid. */
export function parsePresetList(text: string, currency: string): number[] | null {
  const parts = text
    .split(/[\s;,]+/)
    .map((p) => p.trim())
    .filter(Boolean)
  const amounts: number[] = []
  for (const part of parts) {
    const minor = parseMajorAmount(part, currency)
    if (minor === null || minor <= 0 || minor > 100_000_000) return null
    amounts.push(minor)
  }
  return [...new Set(amounts)].sort((a, b) => a - b)
}

export function formatPresetList(presets: number[] | null, currency: string): string {
  return (presets ?? []).map((p) => minorToInput(p, currency)).join(', ')
}
