import type { LoaderFunctionArgs } from '@remix-run/node'
import { findOrganisationCampaign } from '~/models/campaign-stats.server'
import { findCampaignPack, packCsvStream, recordPackDownload, scopeOf } from '~/models/delivery-pack.server'
import { packFileName } from '~/models/delivery-pdf.server'
import { adminError, requireAdmin } from '~/utils/auth.server'

// A pack's list as CSV, streamed a chunk of rows at a time; its bytes are what the code covers (decision 0013).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'supporters.view')
  const campaign = await findOrganisationCampaign(admin.organisation.id, params.campaignId)
  if (!campaign) throw adminError(404, 'admin.error.notFound')
  const pack = await findCampaignPack(campaign.id, params.packId)
  if (!pack) throw adminError(404, 'admin.error.notFound')
  await recordPackDownload(admin, pack, 'csv')
  return new Response(packCsvStream(scopeOf(pack)), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${packFileName(pack, campaign.slug, 'csv')}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  })
}
