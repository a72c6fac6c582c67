import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { CampaignView } from '~/components/campaign-view'
import { campaignViewData } from '~/components/campaign-view.server'
import { requireAdminCampaign } from '~/http/campaign.server'
import { getPublicCampaignById } from '~/models/campaign.server'
import { requireAdmin } from '~/http/auth.server'
import { can } from '~/utils/permissions'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

// The public page exactly as visitors will see it (in the reader's language, chosen with the
// site's language switcher), under a banner saying it is a preview. Viewers may look too: the
// page shows nothing a visitor could not see.

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'campaigns.view')
  const campaign = await requireAdminCampaign(admin, params.campaignId)
  const locale = await getLocale(request)
  const publicCampaign = await getPublicCampaignById(campaign.id, locale)
  if (!publicCampaign) throw new Response('Not found', { status: 404 })
  const view = await campaignViewData(publicCampaign, locale, new URL(request.url))
  const t = makeTranslator(locale)
  return data({
    campaignId: campaign.id,
    status: campaign.status,
    canEdit: can(admin.role, 'campaigns.edit'),
    view,
    pageTitle: t('admin.preview.title', { title: view.campaign.title || t('admin.campaigns.untitled') }),
  })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.pageTitle ?? ''} · Chorus` },
  // A draft must never end up in a search engine, even if the URL leaks.
  { name: 'robots', content: 'noindex, nofollow' },
]

export default function PreviewCampaign() {
  const { campaignId, status, canEdit, view } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <>
      <div className="wrap">
        <AdminCampaignNav campaignId={campaignId} current="preview" canEdit={canEdit} />
        <section className="draft-banner" aria-labelledby="preview-banner-heading">
          <h2 id="preview-banner-heading">{status === 'draft' ? t('admin.preview.banner') : t('admin.preview.bannerLive')}</h2>
          <p>{status === 'draft' ? t('admin.preview.bannerText') : t('admin.preview.bannerTextLive')}</p>
          {canEdit ? (
            <p>
              <Link to={`/admin/campaigns/${campaignId}/edit`}>{t('admin.campaignNav.edit')}</Link>
            </p>
          ) : null}
        </section>
      </div>
      <CampaignView view={view} preview />
    </>
  )
}
