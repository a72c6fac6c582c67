import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { listAdminCampaigns } from '~/models/editable-campaign.server'
import { delayedEmailsForOrganisation, refusedEmailsForOrganisation, REFUSED_WINDOW_DAYS } from '~/models/email-outbox.server'
import { requireAdmin } from '~/http/auth.server'
import { can } from '~/utils/permissions'
import { formatDate, formatNumber, timeAgo } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'
import { DataTable } from '~/components/data-table'

// The organisation's campaigns with their numbers: counts only, so viewers see it all (decision 0006).

/** The kinds of email a campaign sends, each with its own label; any other is 'other'. */
const REFUSED_KINDS = [
  'signature-confirmation',
  'already-signed',
  'signature-thanks',
  'donation-receipt',
  'campaign-update',
  'campaign-update-test',
  'my-data-link',
] as const
type RefusedKind = (typeof REFUSED_KINDS)[number] | 'other'
const refusedKind = (template: string): RefusedKind => REFUSED_KINDS.find((kind) => kind === template) ?? 'other'

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'campaigns.view')
  const canEdit = can(admin.role, 'campaigns.edit')
  const [campaigns, delayed, refused] = await Promise.all([
    listAdminCampaigns(admin.organisation.id),
    // Nothing about sending is shown unless something is stuck (decision 0026), or was refused.
    canEdit ? delayedEmailsForOrganisation(admin.organisation.id) : null,
    canEdit ? refusedEmailsForOrganisation(admin.organisation.id) : null,
  ])
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  return data({
    organisation: admin.organisation.name,
    canEdit,
    delayed: delayed && {
      waiting: delayed.waiting,
      updates: delayed.updates,
      // Worded here, once: a relative time rendered again in the browser could differ.
      oldestAgo: delayed.oldestQueuedAt ? timeAgo(locale, delayed.oldestQueuedAt) : null,
      reason: delayed.reason,
    },
    refused: refused && {
      total: refused.total,
      days: REFUSED_WINDOW_DAYS,
      groups: refused.groups.map((group) => ({
        kind: refusedKind(group.template),
        reason: group.reason,
        count: group.count,
        lastAgo: timeAgo(locale, group.lastAt),
      })),
    },
    campaigns: campaigns.map((c) => ({
      id: c.id,
      slug: c.slug,
      status: c.status,
      title: c.title.trim() || t('admin.campaigns.untitled'),
      lang: c.baseLocale,
      confirmed: c.confirmedCount,
      pending: c.pendingCount,
      today: c.todayCount,
      closesAt: c.closesAt?.toISOString() ?? null,
    })),
    pageTitle: t('admin.campaigns.title'),
  })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function AdminCampaigns() {
  const { organisation, canEdit, campaigns, delayed, refused } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  return (
    <div className="wrap">
      <div className="button-row">
        <h1>{t('admin.campaigns.title')}</h1>
        {canEdit ? (
          <Link to="/admin/campaigns/new" className="button">
            {t('admin.campaigns.new')}
          </Link>
        ) : null}
      </div>
      {delayed ? (
        <section className="notice" aria-labelledby="delayed-emails">
          <h2 id="delayed-emails">{t('admin.delayed.title')}</h2>
          <p>
            {t('admin.delayed.waiting', { count: delayed.waiting })} {delayed.updates > 0 ? t('admin.delayed.updates', { count: delayed.updates }) : null}{' '}
            {delayed.oldestAgo ? t('admin.delayed.oldest', { ago: delayed.oldestAgo }) : null}
          </p>
          <p>
            {delayed.reason.kind === 'provider'
              ? t('admin.delayed.reason.provider', { message: delayed.reason.message })
              : t(`admin.delayed.reason.${delayed.reason.kind}`)}
          </p>
        </section>
      ) : null}
      {refused ? (
        <section className="notice" aria-labelledby="refused-emails">
          <h2 id="refused-emails">{t('admin.refused.title')}</h2>
          <p>{t('admin.refused.summary', { count: refused.total, days: refused.days })}</p>
          <DataTable
            captionId="refused-emails-caption"
            captionHidden
            caption={t('admin.refused.caption')}
            scroll
            columns={[
              t('admin.refused.col.kind'),
              t('admin.refused.col.reason'),
              { label: t('admin.refused.col.count'), numeric: true },
              t('admin.refused.col.last'),
            ]}
          >
            {refused.groups.map((group, index) => (
              <tr key={index}>
                <th scope="row">{t(`admin.refused.kind.${group.kind}`)}</th>
                {/* The provider's own words, in its language. */}
                <td lang="en">{group.reason}</td>
                <td className="num">{formatNumber(locale, group.count)}</td>
                <td>{group.lastAgo}</td>
              </tr>
            ))}
          </DataTable>
          <p>{t('admin.refused.help')}</p>
        </section>
      ) : null}
      {campaigns.length === 0 ? (
        <p>{canEdit ? t('admin.campaigns.emptyCanEdit') : t('admin.campaigns.empty')}</p>
      ) : (
        <DataTable
          captionId="campaigns-caption"
          captionHidden
          caption={t('admin.campaigns.caption', { organisation })}
          scroll
          columns={[
            t('admin.campaigns.col.campaign'),
            t('admin.campaigns.col.status'),
            { label: t('admin.campaigns.col.confirmed'), numeric: true },
            { label: t('admin.campaigns.col.pending'), numeric: true },
            { label: t('admin.campaigns.col.today'), numeric: true },
            t('admin.campaigns.col.closes'),
            t('admin.campaigns.col.actions'),
          ]}
        >
          {campaigns.map((c) => (
            <tr key={c.id}>
              <th scope="row">
                <Link to={`/admin/campaigns/${c.id}`} lang={c.lang}>
                  {c.title}
                </Link>
              </th>
              <td>
                <span className={`status-badge status-${c.status}`}>{t(`admin.status.${c.status}`)}</span>
              </td>
              <td className="num">{formatNumber(locale, c.confirmed)}</td>
              <td className="num">{formatNumber(locale, c.pending)}</td>
              <td className="num">{formatNumber(locale, c.today)}</td>
              <td>{c.closesAt ? formatDate(locale, c.closesAt, 'medium') : t('admin.campaigns.noClosingDate')}</td>
              <td className="row-actions">
                {canEdit ? (
                  <Link to={`/admin/campaigns/${c.id}/edit`} aria-label={t('admin.campaigns.editLinkLabel', { title: c.title })}>
                    {t('admin.campaigns.editLink')}
                  </Link>
                ) : null}
                <Link to={`/admin/campaigns/${c.id}/preview`} aria-label={t('admin.campaigns.previewLinkLabel', { title: c.title })}>
                  {t('admin.campaigns.previewLink')}
                </Link>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  )
}
