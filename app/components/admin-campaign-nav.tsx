import { Link, useRouteLoaderData } from '@remix-run/react'
import { useT } from '~/utils/use-t'

export type AdminCampaignPage = 'dashboard' | 'edit' | 'preview' | 'supporters' | 'updates' | 'responses' | 'deliver' | 'integrity'

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
    { page: 'updates', to: `/admin/campaigns/${campaignId}/updates`, label: t('admin.campaignNav.updates'), shown: canEdit ?? mayChange },
    { page: 'responses', to: `/admin/campaigns/${campaignId}/responses`, label: t('admin.campaignNav.responses'), shown: canEdit ?? mayChange },
    // The delivery pack names signers: the same people who may see supporters.
    { page: 'deliver', to: `/admin/campaigns/${campaignId}/deliver`, label: t('admin.campaignNav.deliver'), shown: canSeeSupporters ?? mayChange },
    // The Integrity tab shows no personal data, so every member reviews; only owners and campaigners act.
    { page: 'integrity', to: `/admin/campaigns/${campaignId}/integrity`, label: t('admin.campaignNav.integrity'), shown: true },
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
