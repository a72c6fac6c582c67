import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireOrganisationCampaign } from '~/http/campaign.server'
import { downloadResponse } from '~/http/responses.server'
import { findCampaignPack, packCsvStream, recordPackDownload, scopeOf } from '~/models/delivery-pack.server'
import { packFileName } from '~/models/delivery-pdf.server'
import { adminError, requireAdmin } from '~/http/auth.server'

// A pack's list as CSV, streamed a chunk of rows at a time; its bytes are what the code covers (decision 0013).
export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'supporters.view')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const pack = await findCampaignPack(campaign.id, params.packId)
  if (!pack) throw adminError(404, 'admin.error.notFound')
  await recordPackDownload(admin, pack, 'csv')
  return downloadResponse({ body: packCsvStream(scopeOf(pack)), contentType: 'text/csv; charset=utf-8', filename: packFileName(pack, campaign.slug, 'csv') })
}
