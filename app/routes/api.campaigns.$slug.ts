import type { LoaderFunctionArgs } from '@remix-run/node'
import { getCountryCounts, getPublicCampaign } from '~/models/campaign.server'
import { redirectFromOldSlug } from '~/http/campaign.server'
import { getPublicDonationTotals } from '~/models/donation.server'
import { getCampaignTimeline } from '~/models/timeline.server'
import { PUBLIC_CACHE } from '~/utils/http.server'
import { getLocale } from '~/utils/locale.server'

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
}

/** Public JSON for partners and widgets: confirmed counts only, never personal data. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS })
  const locale = await getLocale(request)
  const campaign = await getPublicCampaign(params.slug ?? '', locale)
  if (!campaign) {
    // An old slug: the same JSON under the campaign's current slug (301).
    await redirectFromOldSlug(request, params.slug ?? '').catch((thrown: unknown) => {
      if (thrown instanceof Response) thrown.headers.set('Access-Control-Allow-Origin', '*')
      throw thrown
    })
    return Response.json({ error: 'not_found' }, { status: 404, headers: { ...CORS, 'Cache-Control': PUBLIC_CACHE } })
  }
  const [signaturesByCountry, donations, timeline] = await Promise.all([
    getCountryCounts(campaign.id),
    getPublicDonationTotals(campaign.id),
    getCampaignTimeline(campaign.id, locale),
  ])
  return Response.json(
    {
      slug: campaign.slug,
      title: campaign.content.title,
      status: campaign.status,
      locale: campaign.contentLocale,
      target: { name: campaign.content.target_name, role: campaign.content.target_role },
      goal: campaign.signatureGoal,
      signatureCount: campaign.signatureCount,
      signaturesByCountry,
      // { currency, totalMinor, donorCount } when the campaign shows its donation totals, else null.
      donations,
      updatedAt: campaign.updatedAt.toISOString(),
      // Newest first (decision 0012): { type, date, title, text, url }, text plain, url null unless a response has a source.
      timeline: timeline.map((item) => ({ type: item.type, date: item.date, title: item.title, text: item.text, url: item.url ?? null })),
    },
    { headers: { ...CORS, 'Cache-Control': PUBLIC_CACHE, Vary: 'Accept-Language, Cookie' } },
  )
}

export async function action({ request }: LoaderFunctionArgs) {
  if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS })
  return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { ...CORS, Allow: 'GET, OPTIONS' } })
}
