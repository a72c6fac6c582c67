import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { DataTable } from '~/components/data-table'
import { requireAdminCampaign } from '~/http/campaign.server'
import { countUpdateAudience } from '~/models/campaign-update-audience.server'
import { listCampaignUpdates } from '~/models/campaign-update-workspace.server'
import { requireAdmin } from '~/http/auth.server'
import { can } from '~/utils/permissions'
import { formatDate } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

// A campaign's updates to its signers (decision 0010): numbers and subjects only, no personal
// data, so viewers may read the list; writing and sending need campaigns.edit.

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'campaigns.view')
  const campaign = await requireAdminCampaign(admin, params.campaignId)
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const [updates, audience] = await Promise.all([listCampaignUpdates(campaign.id, campaign.baseLocale), countUpdateAudience(campaign.id)])
  const title = campaign.content[campaign.baseLocale]?.title || t('admin.campaigns.untitled')
  return data({
    campaign: { id: campaign.id, title },
    canEdit: can(admin.role, 'campaigns.edit'),
    audience,
    updates: updates.map((u) => ({
      id: u.id,
      kind: u.kind,
      status: u.status,
      subject: u.subject,
      sentCount: u.sentCount,
      failedCount: u.failedCount,
      date: formatDate(locale, u.sentAt ?? u.createdAt, 'medium'),
      dateIso: (u.sentAt ?? u.createdAt).toISOString(),
    })),
    pageTitle: `${t('admin.updates.pageTitle')}: ${title}`,
  })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function CampaignUpdates() {
  const { campaign, canEdit, audience, updates } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <div className="wrap stack">
      <p className="eyebrow">
        <Link to="/admin">{t('admin.nav.campaigns')}</Link>
      </p>
      <h1>{campaign.title}</h1>
      <AdminCampaignNav campaignId={campaign.id} current="updates" canEdit={canEdit} />
      <h2>{t('admin.campaignNav.updates')}</h2>
      <p>{t('admin.updates.intro')}</p>
      <p>
        <strong>{t('admin.updates.audienceNow', { count: audience })}</strong>
      </p>
      {canEdit ? (
        <p>
          <Link to={`/admin/campaigns/${campaign.id}/updates/new`} className="button">
            {t('admin.updates.new')}
          </Link>
        </p>
      ) : null}
      <h3 id="updates-list-heading">{t('admin.updates.listHeading')}</h3>
      {updates.length === 0 ? (
        <p>{t('admin.updates.none')}</p>
      ) : (
        <DataTable
          scroll={{ labelledBy: 'updates-list-heading' }}
          columns={[
            t('admin.updates.col.subject'),
            t('admin.updates.col.kind'),
            t('admin.updates.col.status'),
            t('admin.updates.col.sent'),
            t('admin.updates.col.failed'),
            t('admin.updates.col.date'),
          ]}
        >
          {updates.map((u) => (
            <tr key={u.id}>
              <td>
                <Link to={`/admin/campaigns/${campaign.id}/updates/${u.id}`}>{u.subject || t('admin.updates.untitled')}</Link>
              </td>
              <td>{t(`admin.updates.kind.${u.kind}`)}</td>
              <td>{t(`admin.updates.status.${u.status}`)}</td>
              <td>{u.sentCount}</td>
              <td>{u.failedCount}</td>
              <td>
                <time dateTime={u.dateIso}>{u.date}</time>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  )
}
