import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireOrganisationCampaign } from '~/http/campaign.server'
import { downloadResponse } from '~/http/responses.server'
import { findCampaignPack, recordPackDownload } from '~/models/delivery-pack.server'
import { getPackCampaignContent, packFileName, packPdfStream } from '~/models/delivery-pdf.server'
import { adminError, requireAdmin } from '~/http/auth.server'

// A pack's PDF, made as it is read (decision 0013). It names signers: 'supporters.view' only.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'supporters.view')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const pack = await findCampaignPack(campaign.id, params.packId)
  if (!pack) throw adminError(404, 'admin.error.notFound')
  const content = await getPackCampaignContent(campaign.id, pack.locale)
  await recordPackDownload(admin, pack, 'pdf')
  return downloadResponse({ body: packPdfStream(pack, content), contentType: 'application/pdf', filename: packFileName(pack, content.slug, 'pdf') })
}
