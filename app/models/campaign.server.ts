import { sql } from 'kysely'
import type { Campaign, CampaignContent, CampaignStatus } from '#db/types'
import { open } from '~/models/data-key.server'
import { imageUrl } from '~/models/campaign-image.server'
import { organisationLogoPath, type OrganisationIdentity } from '~/models/organisation.server'
import { getDb, type Executor } from '~/utils/db.server'
import { isLocale, type Locale } from '~/utils/i18n'

export const PUBLIC_STATES = ['live', 'closed'] as const satisfies readonly CampaignStatus[]

export interface PublicCampaign {
  id: string
  slug: string
  status: CampaignStatus
  locale: Locale
  contentLocale: Locale
  /** The story may still be in the base language while the rest is translated. */
  storyLocale: Locale
  content: CampaignContent
  signatureGoal: number
  signatureCount: number
  showRecentSigners: boolean
  consentVersion: string
  opensAt: Date | null
  closesAt: Date | null
  /** Attack mode (decision 0030): the sign form asks for a proof-of-work challenge. */
  attackMode: boolean
  updatedAt: Date
  /** When signing opened (or will): opens_at, else when the campaign was made. */
  startsAt: Date
  organisation: PublicOrganisation
  heroImage: { url: string; alt: string; width: number | null; height: number | null } | null
  /** The campaign's wording beside the sign form's checkboxes; '' means the standard wording. */
  consentText: { updates: string; showName: string }
}

/** Who runs a campaign, as its pages and emails show it (decision 0035). */
export interface PublicOrganisation extends OrganisationIdentity {
  privacyUrl: string | null
  /** Path of the logo (hash in it), or null. */
  logoUrl: string | null
}

const contentColumns = ['title', 'summary', 'target_name', 'target_role', 'demand'] as const
const consentColumns = ['consent_updates_text', 'consent_show_name_text'] as const

function baseQuery(executor: Executor, locale: Locale) {
  return (
    executor
      .selectFrom('campaigns as c')
      .innerJoin('organisations as o', 'o.id', 'c.organisation_id')
      // A translation is shown only once its main texts are all there (the editor lists what is
      // missing); a story not yet translated is shown in the base language, marked as such.
      .leftJoin('campaign_translations as t', (join) =>
        join
          .onRef('t.campaign_id', '=', 'c.id')
          .on('t.locale', '=', locale)
          .on('t.title', '<>', '')
          .on('t.summary', '<>', '')
          .on('t.target_name', '<>', '')
          .on('t.demand', '<>', ''),
      )
      .leftJoin('campaign_images as img', 'img.id', 'c.hero_image_id')
      .select([
        'c.id',
        'c.slug',
        'c.status',
        'c.locale',
        'c.signature_goal',
        'c.signature_count',
        'c.show_recent_signers',
        'c.consent_version',
        'c.opens_at',
        'c.closes_at',
        'c.attack_mode_started_at',
        'c.created_at',
        sql<Date>`greatest(c.updated_at, coalesce(c.counted_at, c.updated_at))`.as('updated_at'),
        'o.id as organisation_id',
        'o.name as organisation_name',
        'o.privacy_url as organisation_privacy_url',
        'o.slug as organisation_slug',
        'o.logo_sha256 as organisation_logo_sha256',
        'o.logo_width as organisation_logo_width',
        'o.logo_height as organisation_logo_height',
        'o.brand_colour as organisation_brand_colour',
        'o.website_url as organisation_website_url',
        'o.contact_email as organisation_contact_email',
        'o.sender_name as organisation_sender_name',
        'o.sender_email as organisation_sender_email',
        'o.sender_email_verified as organisation_sender_email_verified',
        sql<string | null>`t.locale`.as('translation_locale'),
        ...contentColumns.map((column) => sql<string>`coalesce(${sql.ref(`t.${column}`)}, ${sql.ref(`c.${column}`)})`.as(column)),
        sql<string>`coalesce(nullif(t.story, ''), c.story)`.as('story'),
        sql<boolean>`coalesce(t.story, '') <> ''`.as('story_translated'),
        // Consent wording left empty in a translation means that language's standard wording.
        ...consentColumns.map((column) => sql<string>`coalesce(${sql.ref(`t.${column}`)}, ${sql.ref(`c.${column}`)})`.as(column)),
        sql<string>`coalesce(nullif(t.hero_image_alt, ''), c.hero_image_alt)`.as('hero_image_alt'),
        'img.id as image_id',
        'img.sha256 as image_sha256',
        'img.width as image_width',
        'img.height as image_height',
      ])
  )
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>

function toPublicCampaign(row: Row): PublicCampaign {
  const baseLocale = isLocale(row.locale) ? row.locale : 'en'
  const translationLocale = isLocale(row.translation_locale) ? row.translation_locale : null
  return {
    id: row.id,
    slug: row.slug,
    status: row.status,
    locale: baseLocale,
    contentLocale: translationLocale ?? baseLocale,
    storyLocale: translationLocale && row.story_translated ? translationLocale : baseLocale,
    content: {
      title: row.title,
      summary: row.summary,
      story: row.story,
      target_name: row.target_name,
      target_role: row.target_role,
      demand: row.demand,
    },
    signatureGoal: row.signature_goal,
    signatureCount: row.signature_count,
    showRecentSigners: row.show_recent_signers,
    consentVersion: row.consent_version,
    opensAt: row.opens_at,
    closesAt: row.closes_at,
    attackMode: row.attack_mode_started_at !== null,
    updatedAt: row.updated_at,
    startsAt: row.opens_at ?? row.created_at,
    organisation: {
      id: row.organisation_id,
      slug: row.organisation_slug,
      name: row.organisation_name,
      privacyUrl: row.organisation_privacy_url,
      logo: row.organisation_logo_sha256
        ? { sha256: row.organisation_logo_sha256, width: row.organisation_logo_width, height: row.organisation_logo_height }
        : null,
      logoUrl: row.organisation_logo_sha256 ? organisationLogoPath({ id: row.organisation_id }, row.organisation_logo_sha256) : null,
      brand_colour: row.organisation_brand_colour,
      website_url: row.organisation_website_url,
      contact_email: row.organisation_contact_email,
      sender_name: row.organisation_sender_name,
      sender_email: row.organisation_sender_email,
      sender_email_verified: row.organisation_sender_email_verified,
      sender_verify_sent_at: null,
    },
    heroImage:
      row.image_id && row.image_sha256
        ? { url: imageUrl({ id: row.image_id, sha256: row.image_sha256 }), alt: row.hero_image_alt, width: row.image_width, height: row.image_height }
        : null,
    consentText: { updates: row.consent_updates_text, showName: row.consent_show_name_text },
  }
}

/** Campaigns a page lists at most: the home page pages through the rest. */
export const LIVE_CAMPAIGNS_PER_PAGE = 100
/** Pages past this are not listed (ten thousand open campaigns is past any organisation's use). */
export const LIVE_CAMPAIGN_PAGES_MAX = 100

/** Live campaigns open for signing now, newest first, in the reader's language where translated. */
export async function listLiveCampaigns(
  locale: Locale,
  executor: Executor = getDb(),
  { limit = LIVE_CAMPAIGNS_PER_PAGE, offset = 0 }: { limit?: number; offset?: number } = {},
): Promise<PublicCampaign[]> {
  const rows = await baseQuery(executor, locale)
    .where('c.status', '=', 'live')
    .where((eb) => eb.or([eb('c.opens_at', 'is', null), eb('c.opens_at', '<=', sql<Date>`now()`)]))
    .where((eb) => eb.or([eb('c.closes_at', 'is', null), eb('c.closes_at', '>', sql<Date>`now()`)]))
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute()
  return rows.map(toPublicCampaign)
}

/** One page of the campaigns open for signing, newest first, and whether an older page follows. */
export async function listLiveCampaignPage(locale: Locale, page: number, perPage = LIVE_CAMPAIGNS_PER_PAGE) {
  const rows = await listLiveCampaigns(locale, getDb(), { limit: perPage + 1, offset: (page - 1) * perPage })
  return { campaigns: rows.slice(0, perPage), hasOlder: rows.length > perPage }
}

/** The organisation's other campaigns open for signing, newest first: what a new signer might do next. */
export async function listOtherLiveCampaigns(
  organisationId: string,
  exceptCampaignId: string,
  locale: Locale,
  limit = 3,
  executor: Executor = getDb(),
): Promise<PublicCampaign[]> {
  const rows = await baseQuery(executor, locale)
    .where('c.organisation_id', '=', organisationId)
    .where('c.id', '<>', exceptCampaignId)
    .where('c.status', '=', 'live')
    .where((eb) => eb.or([eb('c.opens_at', 'is', null), eb('c.opens_at', '<=', sql<Date>`now()`)]))
    .where((eb) => eb.or([eb('c.closes_at', 'is', null), eb('c.closes_at', '>', sql<Date>`now()`)]))
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute()
  return rows.map(toPublicCampaign)
}

/** A campaign anyone may see (live or closed); drafts and unknown slugs are null. */
export async function getPublicCampaign(slug: string, locale: Locale, executor: Executor = getDb()): Promise<PublicCampaign | null> {
  const row = await baseQuery(executor, locale).where('c.slug', '=', slug).where('c.status', 'in', PUBLIC_STATES).executeTakeFirst()
  return row ? toPublicCampaign(row) : null
}

export async function getPublicCampaignById(id: string, locale: Locale, executor: Executor = getDb()): Promise<PublicCampaign | null> {
  const row = await baseQuery(executor, locale).where('c.id', '=', id).executeTakeFirst()
  return row ? toPublicCampaign(row) : null
}

export type CampaignPhase = 'not-open' | 'open' | 'closed'

/** Whether a campaign is taking signatures now, has not opened yet, or has closed. */
export function campaignPhase(campaign: Pick<PublicCampaign, 'status' | 'closesAt' | 'opensAt'>, now = new Date()): CampaignPhase {
  if (campaign.status !== 'live') return 'closed'
  if (campaign.closesAt && campaign.closesAt <= now) return 'closed'
  if (campaign.opensAt && campaign.opensAt > now) return 'not-open'
  return 'open'
}

export function isSignable(campaign: Pick<PublicCampaign, 'status' | 'closesAt' | 'opensAt'>, now = new Date()) {
  return campaignPhase(campaign, now) === 'open'
}

/** Cached confirmed counts by ISO country code, largest first. */
export async function getCountryCounts(campaignId: string, executor: Executor = getDb()) {
  const rows = await executor
    .selectFrom('campaign_country_counts')
    .select(['country', 'signature_count'])
    .where('campaign_id', '=', campaignId)
    .where('signature_count', '>', 0)
    .orderBy('signature_count', 'desc')
    .orderBy('country')
    .execute()
  return Object.fromEntries(rows.map((row) => [row.country.trim(), row.signature_count])) as Record<string, number>
}

/** First names and countries of recent confirmed signers who agreed to be shown. */
export async function getRecentPublicSigners(campaignId: string, limit = 8, executor: Executor = getDb()) {
  const rows = await executor
    .selectFrom('signatures')
    .select(['full_name', 'country', 'confirmed_at'])
    .where('campaign_id', '=', campaignId)
    .where('state', '=', 'confirmed')
    .where('consent_show_name', '=', true)
    .where('contact_erased_at', 'is', null)
    .orderBy('confirmed_at', 'desc')
    .limit(limit)
    .execute()
  return await Promise.all(
    rows.map(async (row) => ({
      firstName: firstNameOf(await open(row.full_name, executor)),
      country: row.country.trim(),
      confirmedAt: row.confirmed_at!,
    })),
  )
}

export function firstNameOf(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? ''
}

export type { Campaign }

/** The current slug of the public campaign that once had `slug`, or null. */
export async function findSlugRedirect(slug: string, executor: Executor = getDb()): Promise<string | null> {
  if (!slug || slug.length > 200) return null
  const row = await executor
    .selectFrom('campaign_slug_redirects as r')
    .innerJoin('campaigns as c', 'c.id', 'r.campaign_id')
    .select('c.slug')
    .where('r.slug', '=', slug)
    .where('c.status', 'in', PUBLIC_STATES)
    .executeTakeFirst()
  return row?.slug ?? null
}

export interface PublicMilestone {
  threshold: number
  description: string
  reached: boolean
}

/** Milestones in the page's content language (the base language's text where it has none yet). */
export async function getPublicMilestones(
  campaign: Pick<PublicCampaign, 'id' | 'locale' | 'contentLocale' | 'signatureCount'>,
  executor: Executor = getDb(),
): Promise<PublicMilestone[]> {
  const rows = await executor
    .selectFrom('campaign_milestones as m')
    .leftJoin('campaign_milestone_translations as t', (join) => join.onRef('t.milestone_id', '=', 'm.id').on('t.locale', '=', campaign.contentLocale))
    .leftJoin('campaign_milestone_translations as b', (join) => join.onRef('b.milestone_id', '=', 'm.id').on('b.locale', '=', campaign.locale))
    .select(['m.threshold', sql<string>`coalesce(nullif(t.description, ''), b.description, '')`.as('description')])
    .where('m.campaign_id', '=', campaign.id)
    .orderBy('m.threshold')
    .execute()
  return rows
    .filter((r) => r.description.trim())
    .map((r) => ({ threshold: r.threshold, description: r.description, reached: campaign.signatureCount >= r.threshold }))
}
