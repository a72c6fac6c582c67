import type { LoaderFunctionArgs } from '@remix-run/node'
import { requirePublicCampaign } from '~/http/campaign.server'
import { imageResponse } from '~/http/responses.server'
import { getShareCard } from '~/models/share-card.server'
import { DEFAULT_LOCALE, isLocale } from '~/utils/i18n'

/** Social sites fetch the card rarely; a few minutes keeps the count reasonably fresh. */
const CARD_CACHE = 'public, max-age=600, stale-while-revalidate=86400'

/**
 * The campaign's generated share card (decision 0036): a 1200×630 PNG in the language the URL
 * names (`?lang=`; nothing else chooses it, so one URL is always one image).
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const lang = new URL(request.url).searchParams.get('lang')
  const locale = isLocale(lang) ? lang : DEFAULT_LOCALE
  const campaign = await requirePublicCampaign(params.slug, locale)
  const card = await getShareCard(campaign, locale)
  if (!card) {
    // Too many cards are being drawn at once (decision 0036): ask again shortly.
    return new Response('The card is being drawn; try again shortly.', {
      status: 503,
      headers: { 'Retry-After': '30', 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; charset=utf-8' },
    })
  }
  return imageResponse(request, { bytes: card.png, contentType: 'image/png', sha256: card.sha256, cacheControl: CARD_CACHE })
}
