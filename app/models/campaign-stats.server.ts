import { sql } from 'kysely'
import { getDb, type Executor } from '~/utils/db.server'
import type { Locale } from '~/utils/i18n'

// A campaign's dashboard, read from the cached counts the counter job folds (decision 0002):
// a handful of primary-key or partial-index reads, however many signatures there are.

/** The campaign an admin addressed by id, if it belongs to their organisation (otherwise null: a 404). */
export async function findOrganisationCampaign(organisationId: string, campaignId: string | undefined, executor: Executor = getDb()) {
  if (!campaignId || !/^[1-9][0-9]{0,17}$/.test(campaignId)) return null
  return (
    (await executor
      .selectFrom('campaigns')
      .select(['id', 'slug', 'title', 'status', 'signature_goal', 'signature_count', 'created_at', 'closes_at', 'counted_at'])
      .where('id', '=', campaignId)
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst()) ?? null
  )
}

export type OrganisationCampaign = NonNullable<Awaited<ReturnType<typeof findOrganisationCampaign>>>

export const CHART_DAYS = 30
const TOP_COUNTRIES = 15
const TOP_SOURCES = 10
const RECENT_ACTIVITY = 8

export interface DayCount {
  /** UTC day, YYYY-MM-DD. */
  day: string
  count: number
}

export interface CampaignDashboard {
  confirmed: number
  pending: number
  /** Held by the integrity rules, awaiting review (decision 0030). */
  held: number
  invalidated: number
  /** confirmed / (confirmed + pending), null before anyone has signed. */
  confirmationRate: number | null
  today: number
  /** The last CHART_DAYS days (UTC), oldest first, days without signatures included. */
  days: DayCount[]
  countries: { code: string; count: number }[]
  otherCountries: number
  /** '' is "no source". */
  sources: { source: string; count: number }[]
  otherSources: number
  milestones: Milestone[]
  /** Latest confirmations: no names, only the country and when. */
  recent: { country: string; confirmedAt: Date }[]
}

/** Counts for a campaign's dashboard. No personal data: viewers see all of it. */
export async function getCampaignDashboard(
  campaign: Pick<OrganisationCampaign, 'id' | 'status' | 'signature_count' | 'signature_goal'>,
  { now = new Date(), locale = 'en', executor = getDb() }: { now?: Date; locale?: Locale; executor?: Executor } = {},
): Promise<CampaignDashboard> {
  const [states, dayRows, countryRows, sourceRows, recentRows, milestoneRows] = await Promise.all([
    // Both from small partial indexes (index-only), never from the confirmed rows.
    sql<{ pending: number; held: number; invalidated: number }>`
      select (select count(*) from signatures where campaign_id = ${campaign.id} and state = 'pending')::int as pending,
             (select count(*) from signatures where campaign_id = ${campaign.id} and state = 'held')::int as held,
             (select count(*) from signatures where campaign_id = ${campaign.id} and state = 'invalidated')::int as invalidated`.execute(executor),
    executor
      .selectFrom('campaign_daily_counts')
      .select([sql<string>`day::text`.as('day'), 'signature_count'])
      .where('campaign_id', '=', campaign.id)
      .where('signature_count', '>', 0)
      .orderBy('day')
      .execute(),
    executor
      .selectFrom('campaign_country_counts')
      .select(['country', 'signature_count'])
      .where('campaign_id', '=', campaign.id)
      .where('signature_count', '>', 0)
      .orderBy('signature_count', 'desc')
      .orderBy('country')
      .execute(),
    executor
      .selectFrom('campaign_source_counts')
      .select(['source', 'signature_count'])
      .where('campaign_id', '=', campaign.id)
      .where('signature_count', '>', 0)
      .orderBy('signature_count', 'desc')
      .orderBy('source')
      .execute(),
    executor
      .selectFrom('signatures')
      .select(['country', 'confirmed_at'])
      .where('campaign_id', '=', campaign.id)
      .where('state', '=', 'confirmed')
      .where('confirmed_at', 'is not', null)
      .orderBy('confirmed_at', 'desc')
      .limit(RECENT_ACTIVITY)
      .execute(),
    executor
      .selectFrom('campaign_milestones as m')
      .leftJoin('campaign_milestone_translations as t', 't.milestone_id', 'm.id')
      .select(['m.threshold', 't.locale', 't.description'])
      .where('m.campaign_id', '=', campaign.id)
      .execute(),
  ])
  const { pending, held, invalidated } = states.rows[0] ?? { pending: 0, held: 0, invalidated: 0 }
  const confirmed = campaign.signature_count
  const byDay = new Map(dayRows.map((r) => [r.day, r.signature_count]))
  const today = utcDay(now)
  const end = campaign.status === 'closed' && dayRows.length > 0 ? minDay(today, dayRows[dayRows.length - 1]!.day) : today
  const days: DayCount[] = []
  for (let i = CHART_DAYS - 1; i >= 0; i--) {
    const day = addDays(end, -i)
    days.push({ day, count: byDay.get(day) ?? 0 })
  }
  return {
    confirmed,
    pending,
    held,
    invalidated,
    confirmationRate: confirmed + pending > 0 ? confirmed / (confirmed + pending) : null,
    today: byDay.get(today) ?? 0,
    days,
    countries: countryRows.slice(0, TOP_COUNTRIES).map((r) => ({ code: r.country.trim(), count: r.signature_count })),
    otherCountries: sum(countryRows.slice(TOP_COUNTRIES).map((r) => r.signature_count)),
    sources: sourceRows.slice(0, TOP_SOURCES).map((r) => ({ source: r.source, count: r.signature_count })),
    otherSources: sum(sourceRows.slice(TOP_SOURCES).map((r) => r.signature_count)),
    milestones: milestonesOf(dayRows, campaign.signature_goal, campaignMilestones(milestoneRows, locale)),
    recent: recentRows.map((r) => ({ country: r.country.trim(), confirmedAt: r.confirmed_at! })),
  }
}

export interface Milestone {
  count: number
  /** The UTC day the running total reached it. */
  day: string
  goal: boolean
  /** What the campaign said happens then (campaign milestones only). */
  description: string | null
}

/** The campaign's own milestones, each described in the reader's language if it can be, else in any. */
function campaignMilestones(rows: { threshold: number; locale: string | null; description: string | null }[], locale: Locale) {
  const byThreshold = new Map<number, string | null>()
  for (const row of rows) {
    const known = byThreshold.get(row.threshold)
    if (known === undefined || (row.locale === locale && row.description)) byThreshold.set(row.threshold, row.description || known || null)
  }
  return [...byThreshold].map(([threshold, description]) => ({ threshold, description }))
}

const ROUND_MILESTONES = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]

/**
 * The days on which the running total first reached the goal and each milestone (the campaign's
 * own, or round numbers when it set none), newest first.
 */
export function milestonesOf(
  dayRows: { day: string; signature_count: number }[],
  goal: number,
  own: { threshold: number; description: string | null }[] = [],
): Milestone[] {
  const descriptions = new Map(own.map((m) => [m.threshold, m.description]))
  const targets = [...new Set([...(own.length > 0 ? own.map((m) => m.threshold) : ROUND_MILESTONES), goal])].sort((a, b) => a - b)
  const reached: Milestone[] = []
  let total = 0
  let next = 0
  for (const row of dayRows) {
    total += row.signature_count
    while (next < targets.length && total >= targets[next]!) {
      const count = targets[next]!
      reached.push({ count, day: row.day, goal: count === goal, description: descriptions.get(count) ?? null })
      next++
    }
  }
  return reached.reverse()
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10)
}

function addDays(day: string, n: number): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + n)
  return utcDay(date)
}

function minDay(a: string, b: string): string {
  return a < b ? a : b
}

function sum(values: number[]): number {
  return values.reduce((total, n) => total + n, 0)
}
