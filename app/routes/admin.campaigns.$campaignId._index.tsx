import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { SignatureChart } from '~/components/signature-chart'
import { DataTable } from '~/components/data-table'
import { CHART_DAYS, getCampaignDashboard } from '~/models/campaign-stats.server'
import { getCampaignDonationTotals } from '~/models/donation.server'
import { getSignerErasureSchedule } from '~/models/retention.server'
import { requireAdmin } from '~/http/auth.server'
import { requireOrganisationCampaign } from '~/http/campaign.server'
import { can } from '~/utils/permissions'
import { countryName } from '~/utils/countries.server'
import { formatDate, formatNumber, type Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { getEnv } from '~/utils/env.server'
import { embedSnippet } from '~/utils/embed.server'
import { formatMoney } from '~/utils/money'
import { useLocale, useT } from '~/utils/use-t'

// The campaign's dashboard: numbers only, no personal data, so viewers see all of it (decision 0006).

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'campaigns.view')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const locale = await getLocale(request)
  const now = new Date()
  const [dashboard, donations, erasure] = await Promise.all([
    getCampaignDashboard(campaign, { now, locale }),
    getCampaignDonationTotals(campaign.id),
    getSignerErasureSchedule(campaign.id),
  ])
  const t = makeTranslator(locale)
  const dayLabel = cached(() => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }))
  const percent = cached(() => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }))
  const share = (n: number) => (campaign.signature_count > 0 ? percent().format(n / campaign.signature_count) : '')
  const busiest = dashboard.days.reduce((best, d) => (d.count > best.count ? d : best), dashboard.days[0]!)
  const chartTotal = dashboard.days.reduce((total, d) => total + d.count, 0)
  return data({
    campaign: { id: campaign.id, slug: campaign.slug, title: campaign.title, status: campaign.status, goal: campaign.signature_goal },
    canSeeSupporters: can(admin.role, 'supporters.view'),
    canEdit: can(admin.role, 'campaigns.edit'),
    // The line to paste into a partner's page (decision 0038).
    embedSnippet: embedSnippet(getEnv().APP_URL, campaign.slug),
    summary: {
      confirmed: dashboard.confirmed,
      pending: dashboard.pending,
      held: dashboard.held,
      invalidated: dashboard.invalidated,
      today: dashboard.today,
      rate: dashboard.confirmationRate === null ? null : percent().format(dashboard.confirmationRate),
      goalProgress: percent().format(Math.min(1, dashboard.confirmed / campaign.signature_goal)),
      donations: donations ? { raised: formatMoney(locale, donations.totalMinor, donations.currency), donors: donations.donorCount } : null,
    },
    chart: {
      days: dashboard.days.map((d) => ({
        day: d.day,
        count: d.count,
        label: dayLabel().format(new Date(`${d.day}T00:00:00Z`)),
        longLabel: formatDate(locale, `${d.day}T00:00:00Z`),
        countText: formatNumber(locale, d.count),
      })),
      title: t('admin.dashboard.chartTitle', {
        from: formatDate(locale, `${dashboard.days[0]!.day}T00:00:00Z`),
        to: formatDate(locale, `${dashboard.days.at(-1)!.day}T00:00:00Z`),
      }),
      description:
        chartTotal === 0
          ? t('admin.dashboard.chartDescEmpty', { days: CHART_DAYS })
          : t('admin.dashboard.chartDesc', {
              days: CHART_DAYS,
              total: chartTotal,
              max: busiest.count,
              best: formatDate(locale, `${busiest.day}T00:00:00Z`),
            }),
    },
    countries: dashboard.countries.map((c) => ({ code: c.code, name: countryName(c.code, locale), count: c.count, share: share(c.count) })),
    otherCountries: dashboard.otherCountries ? { count: dashboard.otherCountries, share: share(dashboard.otherCountries) } : null,
    sources: dashboard.sources.map((s) => ({ source: s.source, count: s.count, share: share(s.count) })),
    otherSources: dashboard.otherSources ? { count: dashboard.otherSources, share: share(dashboard.otherSources) } : null,
    milestones: dashboard.milestones.map((m) => ({
      key: `${m.count}-${m.day}`,
      text: t(m.goal ? 'admin.dashboard.milestoneGoal' : 'admin.dashboard.milestone', {
        count: m.count,
        date: formatDate(locale, `${m.day}T00:00:00Z`),
      }),
      description: m.description,
    })),
    // Relative times are worded here, on the server, so the page reads the same after hydration.
    recent: dashboard.recent.map((r, i) => ({
      key: `${i}-${r.confirmedAt.toISOString()}`,
      at: r.confirmedAt.toISOString(),
      text: t('admin.dashboard.activityItem', { country: countryName(r.country, locale), ago: timeAgo(locale, r.confirmedAt, now) }),
    })),
    // When the nightly job erases signers' contact details (decision 0045).
    erasure:
      erasure.kind === 'after-close'
        ? t('admin.dashboard.erasureAfterClose', { count: erasure.months })
        : t(erasure.date <= now ? 'admin.dashboard.erasurePast' : 'admin.dashboard.erasureOn', { date: formatDate(locale, erasure.date) }),
    pageTitle: t('admin.dashboard.title', { title: campaign.title }),
  })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

function cached<T>(make: () => T): () => T {
  let value: T | undefined
  return () => (value ??= make())
}

function timeAgo(locale: Locale, then: Date, now: Date): string {
  const seconds = Math.round((then.getTime() - now.getTime()) / 1000)
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' })
  const abs = Math.abs(seconds)
  if (abs < 60) return format.format(Math.min(0, seconds), 'second')
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute')
  if (abs < 86400) return format.format(Math.round(seconds / 3600), 'hour')
  return format.format(Math.round(seconds / 86400), 'day')
}

type ShareRow = { label: string; count: number; share: string }

function ShareTableRow({ row }: { row: ShareRow }) {
  const locale = useLocale()
  return (
    <tr>
      <th scope="row">{row.label}</th>
      <td className="num">{formatNumber(locale, row.count)}</td>
      <td className="num">{row.share}</td>
    </tr>
  )
}

/** Signatures broken down by one value (country, source): its top rows, then the rest as one "other" row. */
function ShareTable({
  caption,
  labelHeading,
  rows,
  other,
}: {
  caption: string
  labelHeading: string
  rows: (ShareRow & { key: string })[]
  other: ShareRow | null
}) {
  const t = useT()
  if (rows.length === 0) return <p>{t('admin.dashboard.none')}</p>
  return (
    <DataTable
      captionHidden
      caption={caption}
      columns={[labelHeading, { label: t('admin.dashboard.signatures'), numeric: true }, { label: t('admin.dashboard.share'), numeric: true }]}
    >
      {rows.map((row) => (
        <ShareTableRow key={row.key} row={row} />
      ))}
      {other ? <ShareTableRow row={other} /> : null}
    </DataTable>
  )
}

export default function CampaignDashboard() {
  const {
    campaign,
    canSeeSupporters,
    canEdit,
    summary,
    chart,
    countries,
    otherCountries,
    sources,
    otherSources,
    milestones,
    recent,
    erasure,
    embedSnippet: snippet,
  } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const n = (value: number) => formatNumber(locale, value)
  return (
    <div className="wrap dashboard">
      <p className="eyebrow">
        <Link to="/admin">{t('admin.nav.campaigns')}</Link>
      </p>
      <h1>{campaign.title}</h1>
      <p className="campaign-meta">
        <span className={`status-badge status-${campaign.status}`}>
          {t('admin.dashboard.statusLabel', { status: t(`admin.dashboard.status.${campaign.status}`) })}
        </span>
        {campaign.status !== 'draft' ? (
          <>
            {' · '}
            <Link to={`/campaigns/${campaign.slug}`}>{t('admin.dashboard.publicPage')}</Link>
          </>
        ) : null}
      </p>
      <AdminCampaignNav campaignId={campaign.id} current="dashboard" canEdit={canEdit} canSeeSupporters={canSeeSupporters} />

      <section aria-labelledby="summary-heading">
        <h2 id="summary-heading">{t('admin.dashboard.summaryHeading')}</h2>
        <dl className="stat-grid">
          <div className="stat">
            <dt>{t('admin.dashboard.confirmed')}</dt>
            <dd data-stat="confirmed">{n(summary.confirmed)}</dd>
          </div>
          <div className="stat">
            <dt>{t('admin.dashboard.pending')}</dt>
            <dd data-stat="pending">{n(summary.pending)}</dd>
          </div>
          <div className="stat">
            <dt>{t('admin.dashboard.rate')}</dt>
            <dd data-stat="rate">{summary.rate ?? t('admin.dashboard.rateNone')}</dd>
          </div>
          <div className="stat">
            <dt>{t('admin.dashboard.today')}</dt>
            <dd data-stat="today">{n(summary.today)}</dd>
          </div>
          <div className="stat">
            <dt>{t('admin.dashboard.goal')}</dt>
            <dd data-stat="goal">
              {summary.goalProgress} <span className="hint">{t('admin.dashboard.goalOf', { goal: n(campaign.goal) })}</span>
            </dd>
          </div>
          <div className="stat">
            <dt>{t('admin.dashboard.held')}</dt>
            <dd data-stat="held">{n(summary.held)}</dd>
          </div>
          <div className="stat">
            <dt>{t('admin.dashboard.invalidated')}</dt>
            <dd data-stat="invalidated">{n(summary.invalidated)}</dd>
          </div>
          {summary.donations ? (
            <div className="stat">
              <dt>{t('admin.dashboard.donations')}</dt>
              <dd data-stat="donations">
                {summary.donations.raised} <span className="hint">{t('admin.dashboard.donors', { count: summary.donations.donors })}</span>
              </dd>
            </div>
          ) : null}
        </dl>
        <p className="hint">{t('admin.dashboard.countsNote')}</p>
        {!canSeeSupporters ? <p className="hint">{t('admin.dashboard.viewerNote')}</p> : null}
        <p className="hint" data-testid="erasure-schedule">
          {erasure}
        </p>
      </section>

      <section aria-labelledby="per-day-heading">
        <h2 id="per-day-heading">{t('admin.dashboard.perDayHeading')}</h2>
        <figure className="chart-figure">
          <SignatureChart
            id="per-day-chart"
            days={chart.days}
            title={chart.title}
            description={chart.description}
            formatTick={(value) => formatNumber(locale, value)}
          />
          <figcaption>
            <details className="chart-table">
              <summary>{t('admin.dashboard.showTable')}</summary>
              <DataTable caption={chart.title} columns={[t('admin.dashboard.day'), { label: t('admin.dashboard.signatures'), numeric: true }]}>
                {chart.days.map((d) => (
                  <tr key={d.day}>
                    <th scope="row">
                      <time dateTime={d.day}>{d.longLabel}</time>
                    </th>
                    <td className="num">{d.countText}</td>
                  </tr>
                ))}
              </DataTable>
            </details>
          </figcaption>
        </figure>
      </section>

      <div className="dashboard-columns">
        <section aria-labelledby="countries-heading">
          <h2 id="countries-heading">{t('admin.dashboard.countriesHeading')}</h2>
          <ShareTable
            caption={t('admin.dashboard.countriesHeading')}
            labelHeading={t('admin.dashboard.country')}
            rows={countries.map((c) => ({ key: c.code, label: c.name, count: c.count, share: c.share }))}
            other={otherCountries ? { label: t('admin.dashboard.otherCountries'), ...otherCountries } : null}
          />
        </section>

        <section aria-labelledby="sources-heading">
          <h2 id="sources-heading">{t('admin.dashboard.sourcesHeading')}</h2>
          <p className="hint">{t('admin.dashboard.sourcesHint')}</p>
          <ShareTable
            caption={t('admin.dashboard.sourcesHeading')}
            labelHeading={t('admin.dashboard.source')}
            rows={sources.map((s) => ({ key: s.source, label: s.source === '' ? t('admin.dashboard.sourceNone') : s.source, count: s.count, share: s.share }))}
            other={otherSources ? { label: t('admin.dashboard.otherSources'), ...otherSources } : null}
          />
        </section>
      </div>

      <div className="dashboard-columns">
        <section aria-labelledby="activity-heading">
          <h2 id="activity-heading">{t('admin.dashboard.activityHeading')}</h2>
          {recent.length === 0 ? (
            <p>{t('admin.dashboard.none')}</p>
          ) : (
            <ul className="activity-list">
              {recent.map((r) => (
                <li key={r.key}>
                  <time dateTime={r.at}>{r.text}</time>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="milestones-heading">
          <h2 id="milestones-heading">{t('admin.dashboard.milestonesHeading')}</h2>
          {milestones.length === 0 ? (
            <p>{t('admin.dashboard.none')}</p>
          ) : (
            <ul className="activity-list">
              {milestones.map((m) => (
                <li key={m.key}>
                  {m.text}
                  {m.description ? <span className="hint"> — {m.description}</span> : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {campaign.status !== 'draft' ? (
        <section aria-labelledby="embed-heading" className="embed-snippet">
          <h2 id="embed-heading">{t('admin.embed.heading')}</h2>
          <p>{t('admin.embed.intro')}</p>
          <label htmlFor="embed-snippet">{t('admin.embed.label')}</label>
          <textarea id="embed-snippet" readOnly rows={3} value={snippet} spellCheck={false} onFocus={(event) => event.currentTarget.select()} />
        </section>
      ) : null}
    </div>
  )
}
