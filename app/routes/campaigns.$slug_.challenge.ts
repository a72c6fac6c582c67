import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { requirePublicCampaign } from '~/http/campaign.server'
import { createSignChallenge } from '~/models/integrity.server'
import { getLocale } from '~/utils/locale.server'

// A fresh proof-of-work challenge for the sign form in attack mode (decision 0030). Fetched by
// the widget, never baked into a page, so a cached campaign page still gets a new one each time.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const campaign = await requirePublicCampaign(params.slug, await getLocale(request), request)
  return json(await createSignChallenge(campaign.id), { headers: { 'Cache-Control': 'no-store' } })
}
