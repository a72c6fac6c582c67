import { sql } from 'kysely'
import sanitizeHtml from 'sanitize-html'
import type { DeliveryMethod } from '#db/types'
import { listCampaignResponses } from '~/models/campaign-response.server'
import { getDb, type Executor } from '~/utils/db.server'
import { isLocale, translate, type Locale } from '~/utils/i18n'
import { renderMarkdown } from '~/utils/markdown.server'

// The public timeline of a campaign (issue 5, decision 0012): sent public updates, milestone
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

interface Sortable {
  item: TimelineItem
  /** When it was recorded: orders items of the same day. */
  at: Date
}

/**
 * A campaign's timeline in `locale`, newest first: each kind is read by one bounded query, texts
 * in the reader's language where translated, else in the campaign's base language.
 */
export async function getCampaignTimeline(campaignId: string, locale: Locale, executor: Executor = getDb()): Promise<TimelineItem[]> {
  const campaign = await executor
    .selectFrom('campaigns as c')
    .leftJoin('campaign_translations as t', (join) => join.onRef('t.campaign_id', '=', 'c.id').on('t.locale', '=', locale).on('t.target_name', '<>', ''))
    .select(['c.locale', sql<string>`coalesce(t.target_name, c.target_name)`.as('target_name')])
    .where('c.id', '=', campaignId)
    .executeTakeFirst()
  if (!campaign) return []
  const baseLocale: Locale = isLocale(campaign.locale) ? campaign.locale : 'en'
  const target = campaign.target_name

  const [updates, milestones, deliveries, responses] = await Promise.all([
    sql<{ sent_at: Date; locale: string; subject: string; body: string }>`
      select u.sent_at, tr.locale, tr.subject, tr.body
      from campaign_updates u
      cross join lateral (
        select t.locale, t.subject, t.body from campaign_update_translations t
        where t.update_id = u.id
        order by (t.locale = ${locale}) desc, (t.locale = ${baseLocale}) desc, t.locale
        limit 1
      ) tr
      where u.campaign_id = ${campaignId} and u.kind = 'update' and u.status = 'sent' and u.public and u.sent_at is not null
      order by u.sent_at desc, u.id desc
      limit ${TIMELINE_LIMIT}`.execute(executor),
    sql<{ crossed_at: Date; threshold: number; description: string | null; description_locale: string | null }>`
      select x.crossed_at, x.threshold, d.description, d.locale as description_locale
      from campaign_milestone_crossings x
      left join lateral (
        select t.locale, t.description from campaign_milestone_translations t
        where t.milestone_id = x.milestone_id and btrim(t.description) <> ''
        order by (t.locale = ${locale}) desc, (t.locale = ${baseLocale}) desc, t.locale
        limit 1
      ) d on true
      where x.campaign_id = ${campaignId}
      order by x.crossed_at desc, x.id desc
      limit ${TIMELINE_LIMIT}`.execute(executor),
    executor
      .selectFrom('campaign_deliveries')
      .select([sql<string>`delivered_on::text`.as('delivered_on'), 'recipient', 'method', 'signature_count', 'created_at'])
      .where('campaign_id', '=', campaignId)
      .orderBy('delivered_on', 'desc')
      .orderBy('id', 'desc')
      .limit(TIMELINE_LIMIT)
      .execute(),
    listCampaignResponses(campaignId, executor),
  ])

  const items: Sortable[] = [
    ...updates.rows.map((u) => ({
      at: u.sent_at,
      item: {
        type: 'update' as const,
        date: u.sent_at.toISOString(),
        title: u.subject,
        text: markdownToText(u.body),
        html: renderMarkdown(u.body),
        locale: isLocale(u.locale) ? u.locale : baseLocale,
      },
    })),
    ...milestones.rows.map((m) => {
      const title = translate(locale, 'timeline.milestoneTitle', { count: m.threshold })
      return {
        at: m.crossed_at,
        item: {
          type: 'milestone' as const,
          date: m.crossed_at.toISOString(),
          title,
          text: m.description?.trim() || title,
          locale: m.description && isLocale(m.description_locale) ? m.description_locale : locale,
        },
      }
    }),
    ...deliveries.map((d) => ({
      at: d.created_at,
      item: {
        type: 'delivery' as const,
        date: d.delivered_on,
        title: translate(locale, 'timeline.deliveryTitle', { recipient: d.recipient }),
        text: translate(locale, 'timeline.deliveryText', {
          count: d.signature_count,
          recipient: d.recipient,
          method: translate(locale, `timeline.method.${d.method satisfies DeliveryMethod}`),
        }),
        locale,
      },
    })),
    ...responses.map((r) => ({
      at: r.createdAt,
      item: {
        type: 'response' as const,
        date: r.respondedOn,
        title: translate(locale, 'timeline.responseTitle', { target }),
        text: r.body,
        // The authority's words are in whatever language they were given: no lang claimed for them.
        locale: baseLocale,
        ...(r.sourceUrl ? { url: r.sourceUrl } : {}),
      },
    })),
  ]
  return items
    .sort((a, b) => compareDesc(a.item.date.slice(0, 10), b.item.date.slice(0, 10)) || b.at.getTime() - a.at.getTime())
    .slice(0, TIMELINE_LIMIT)
    .map((s) => s.item)
}

/** The newest response on a timeline (they are sorted newest first), shown prominently on the page. */
export function latestResponseOf(items: TimelineItem[]): TimelineItem | null {
  return items.find((i) => i.type === 'response') ?? null
}

const compareDesc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0)

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' }

/** An update's markdown as plain text (for the JSON and for readers without HTML): no tags, no markup. */
export function markdownToText(source: string): string {
  const html = renderMarkdown(source).replace(/<\/(p|h[1-6]|li|blockquote|pre)>|<br\s*\/?>|<hr\s*\/?>/g, '$&\n')
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
