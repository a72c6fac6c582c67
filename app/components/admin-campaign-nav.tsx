import { Link, useRouteLoaderData } from '@remix-run/react'
import { useT } from '~/utils/use-t'

export type AdminCampaignPage = 'dashboard' | 'edit' | 'preview' | 'supporters'

/**
 * The sub-navigation of one campaign's admin pages. Links a person's role does not allow are
 * left out (the routes refuse them anyway); without the flags, the role comes from the admin layout.
 */
export function AdminCampaignNav({
  campaignId,
  current,
  canEdit,
  canSeeSupporters,
}: {
  campaignId: string
  current: AdminCampaignPage
  canEdit?: boolean
  canSeeSupporters?: boolean
}) {
  const t = useT()
  const layout = useRouteLoaderData<{ admin: { role: string } | null }>('routes/admin')
  const mayChange = layout?.admin?.role === 'owner' || layout?.admin?.role === 'campaigner'
  const pages: { page: AdminCampaignPage; to: string; label: string; shown: boolean }[] = [
    { page: 'dashboard', to: `/admin/campaigns/${campaignId}`, label: t('admin.campaignNav.dashboard'), shown: true },
    { page: 'edit', to: `/admin/campaigns/${campaignId}/edit`, label: t('admin.campaignNav.edit'), shown: canEdit ?? mayChange },
    { page: 'preview', to: `/admin/campaigns/${campaignId}/preview`, label: t('admin.campaignNav.preview'), shown: true },
    {
      page: 'supporters',
      to: `/admin/campaigns/${campaignId}/supporters`,
      label: t('admin.campaignNav.supporters'),
      shown: canSeeSupporters ?? mayChange,
    },
  ]
  return (
    <nav aria-label={t('admin.campaignNav.label')} className="campaign-nav">
      <ul>
        {pages
          .filter((p) => p.shown)
          .map((p) => (
            <li key={p.page}>
              <Link to={p.to} aria-current={p.page === current ? 'page' : undefined}>
                {p.label}
              </Link>
            </li>
          ))}
      </ul>
    </nav>
  )
}
