import type { ActionFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { requireOrganisationCampaign } from '~/http/campaign.server'
import { adminError, requireAdminAction } from '~/http/auth.server'
import { jsonDownloadResponse } from '~/http/responses.server'
import { ExportSupporterSchema } from '~/models/supporter-schema'
import { exportSupporterOf } from '~/models/supporter-request.server'
import { NO_STORE } from '~/utils/http.server'

// An owner downloads everything the organisation holds for a supporter's address (decision 0045).
// A resource route, so the browser receives the file itself, with or without JavaScript.

export async function action({ request, params }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'supporters.erase')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const parsed = ExportSupporterSchema.safeParse(Object.fromEntries(form))
  if (!parsed.success) return data({ error: 'admin.supporters.error.badRequest' }, { status: 400, headers: { 'Cache-Control': NO_STORE } })
  const result = await exportSupporterOf(admin, campaign.id, parsed.data.signatureId)
  if (result.status === 'not-found') throw adminError(404, 'admin.error.notFound')
  if (result.status === 'already-erased')
    return data({ error: 'admin.supporters.error.alreadyErased' }, { status: 409, headers: { 'Cache-Control': NO_STORE } })
  return jsonDownloadResponse(result.value, `supporter-${parsed.data.signatureId}.json`)
}
