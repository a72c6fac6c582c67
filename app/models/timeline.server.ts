import { sql } from 'kysely'
import type { DeliveryMethod } from '#db/types'
import { getDb, type Executor } from '~/utils/db.server'
import { isLocale, type Locale } from '~/utils/i18n'
import { translate } from '~/utils/i18n.server'
import { markdownToText, renderMarkdown } from '~/utils/markdown.server'

// The public timeline of a campaign (decision 0012): sent public updates, milestone
// crossings, deliveries and the authority's responses, newest first. Public: no personal data.

export const TIMELINE_TYPES = ['update', 'milestone', 'delivery', 'response'] as const
export type TimelineType = (typeof TIMELINE_TYPES)[number]

/** At most this many items, of each kind and in all. */
export const TIMELINE_LIMIT = 50

export interface TimelineItem {
  type: TimelineType
  /** ISO 8601: a timestamp for updates and milestones, a date ('YYYY-MM-DD') for deliveries and responses. */
  date: string
  title: string
  /** Plain text. */
  text: string
  /** The language of the title and text where they are the campaign's words, else the reader's. */
  locale: Locale
  /** Sanitised HTML of an update's body. */
  html?: string
  /** A response's source. */
  url?: string
}

/** One row of the timeline query: the kinds share columns, each using those it needs. */
interface TimelineRow {
  type: TimelineType
  /** When it was recorded: orders items of the same day. */
  at: Date
  /** Deliveries' and responses' own date ('YYYY-MM-DD'). */
  day: string | null
  /** The language of an update's or a milestone's text. */
  text_locale: string | null
  title: string | null
  body: string | null
  url: string | null
  count: number | null
  method: DeliveryMethod | null
  base_locale: string
  target_name: string
}

/**
 * A campaign's timeline in `locale`, newest first, read in one round trip (the campaign page
 * shows it on every view): each kind is a bounded branch of one query, texts in the reader's
 * language where translated, else in the campaign's base language.
 */
export async function getCampaignTimeline(campaignId: string, locale: Locale, executor: Executor = getDb()): Promise<TimelineItem[]> {
  const { rows } = await sql<TimelineRow>`
    with c as (
      select c.id, c.locale as base_locale, coalesce(t.target_name, c.target_name) as target_name
      from campaigns c
      left join campaign_translations t on t.campaign_id = c.id and t.locale = ${locale} and t.target_name <> ''
      where c.id = ${campaignId}
    )
    (select 'update' as type, u.sent_at as at, null::text as day, tr.locale as text_locale, tr.subject as title, tr.body,
        null::text as url, null::int as count, null::text as method, c.base_locale, c.target_name
      from c
      join campaign_updates u on u.campaign_id = c.id
      cross join lateral (
        select t.locale, t.subject, t.body from campaign_update_translations t
        where t.update_id = u.id
        order by (t.locale = ${locale}) desc, (t.locale = c.base_locale) desc, t.locale
        limit 1
      ) tr
      where u.kind = 'update' and u.status = 'sent' and u.public and u.sent_at is not null
      order by u.sent_at desc, u.id desc
      limit ${TIMELINE_LIMIT})
    union all
    (select 'milestone', x.crossed_at, null, d.locale, null, d.description, null, x.threshold, null, c.base_locale, c.target_name
      from c
      join campaign_milestone_crossings x on x.campaign_id = c.id
      left join lateral (
        select t.locale, t.description from campaign_milestone_translations t
        where t.milestone_id = x.milestone_id and btrim(t.description) <> ''
        order by (t.locale = ${locale}) desc, (t.locale = c.base_locale) desc, t.locale
        limit 1
      ) d on true
      order by x.crossed_at desc, x.id desc
      limit ${TIMELINE_LIMIT})
    union all
    (select 'delivery', d.created_at, d.delivered_on::text, null, d.recipient, null, null, d.signature_count, d.method, c.base_locale, c.target_name
      from c
      join campaign_deliveries d on d.campaign_id = c.id
      order by d.delivered_on desc, d.id desc
      limit ${TIMELINE_LIMIT})
    union all
    (select 'response', r.created_at, r.responded_on::text, null, null, r.body, r.source_url, null, null, c.base_locale, c.target_name
      from c
      join campaign_responses r on r.campaign_id = c.id
      order by r.responded_on desc, r.created_at desc, r.id desc
      limit ${TIMELINE_LIMIT})`.execute(executor)
  if (rows.length === 0) return []
  const baseLocale: Locale = isLocale(rows[0]!.base_locale) ? rows[0]!.base_locale : 'en'
  const items = rows.map((row) => ({ at: row.at, item: timelineItem(row, locale, baseLocale) }))
  return items
    .sort((a, b) => compareDesc(a.item.date.slice(0, 10), b.item.date.slice(0, 10)) || b.at.getTime() - a.at.getTime())
    .slice(0, TIMELINE_LIMIT)
    .map((s) => s.item)
}

function timelineItem(row: TimelineRow, locale: Locale, baseLocale: Locale): TimelineItem {
  switch (row.type) {
    case 'update':
      return {
        type: 'update',
        date: row.at.toISOString(),
        title: row.title ?? '',
        text: markdownToText(row.body ?? ''),
        html: renderMarkdown(row.body ?? ''),
        locale: isLocale(row.text_locale) ? row.text_locale : baseLocale,
      }
    case 'milestone': {
      const title = translate(locale, 'timeline.milestoneTitle', { count: row.count ?? 0 })
      const description = row.body?.trim()
      return {
        type: 'milestone',
        date: row.at.toISOString(),
        title,
        text: description || title,
        locale: description && isLocale(row.text_locale) ? row.text_locale : locale,
      }
    }
    case 'delivery': {
      const recipient = row.title ?? ''
      return {
        type: 'delivery',
        date: row.day ?? row.at.toISOString().slice(0, 10),
        title: translate(locale, 'timeline.deliveryTitle', { recipient }),
        text: translate(locale, 'timeline.deliveryText', {
          count: row.count ?? 0,
          recipient,
          method: translate(locale, `timeline.method.${row.method ?? 'other'}`),
        }),
        locale,
      }
    }
    case 'response':
      return {
        type: 'response',
        date: row.day ?? row.at.toISOString().slice(0, 10),
        title: translate(locale, 'timeline.responseTitle', { target: row.target_name }),
        text: row.body ?? '',
        // The authority's words are in whatever language they were given: no lang claimed for them.
        locale: baseLocale,
        ...(row.url ? { url: row.url } : {}),
      }
  }
}

/** The newest response on a timeline (they are sorted newest first), shown prominently on the page. */
export function latestResponseOf(items: TimelineItem[]): TimelineItem | null {
  return items.find((i) => i.type === 'response') ?? null
}

const compareDesc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0)
