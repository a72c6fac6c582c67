import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { CampaignView } from '~/components/campaign-view'
import { campaignViewData } from '~/components/campaign-view.server'
import { attemptSignature, signedRedirect } from '~/components/sign-action.server'
import { requirePublicCampaign } from '~/http/campaign.server'
import { NO_STORE, publicHeaders } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import type { PageHandle } from '~/root'

/**
 * No React in the browser (decision 0037): the page is a plain form with a small script, within
 * the phone budget; in attack mode that script loads the proof-of-work widget when needed.
 */
export const handle: PageHandle = { hydrate: false, script: 'campaign-page' }

/** How many problems a refused no-JS submission had: the action tells the loader of the same request. */
const ERROR_COUNT = Symbol('signErrorCount')
type CountingContext = { [ERROR_COUNT]?: number }

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const errorCount = (context as CountingContext | undefined)?.[ERROR_COUNT] ?? 0
  return data(
    {
      ...(await campaignViewData(campaign, locale, new URL(request.url))),
      // The page title starts with the number of errors after a refused submission, so a screen reader hears it first.
      errorTitle: errorCount > 0 ? makeTranslator(locale)('reach.sign.errorsTitle', { count: errorCount }) : null,
    },
    { headers: publicHeaders() },
  )
}

function countErrors(context: unknown, result: { error?: Record<string, string[] | null> | null }) {
  const count = Object.values(result.error ?? {}).filter((messages) => messages && messages.length > 0).length
  if (context && typeof context === 'object') (context as CountingContext)[ERROR_COUNT] = Math.max(count, 1)
  return result
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const locale = await getLocale(request)
  // The campaign is read while the rate limit is looked at (attemptSignature, in memory). A
  // refusal the server's fast path already made arrives in the context, counted once.
  const campaignPromise = requirePublicCampaign(params.slug, locale, request)
  const attempt = context.signAttempt ?? (await attemptSignature(request, context, campaignPromise, locale))
  const campaign = await campaignPromise
  if (attempt.kind === 'refused') {
    const headers: Record<string, string> = { 'Cache-Control': NO_STORE }
    if (attempt.retryAfterSeconds) headers['Retry-After'] = String(attempt.retryAfterSeconds)
    return data({ result: countErrors(context, attempt.result) }, { status: attempt.status, headers })
  }
  return await signedRedirect(campaign, attempt)
}

export const headers = ({ loaderHeaders, actionHeaders }: { loaderHeaders: Headers; actionHeaders: Headers }) =>
  actionHeaders.get('Cache-Control') ? actionHeaders : loaderHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  if (!data) return [{ title: 'Chorus' }]
  const { campaign, canonicalUrl, shareImage } = data
  return [
    { title: `${data.errorTitle ? `${data.errorTitle}: ` : ''}${campaign.title} · Chorus` },
    { name: 'description', content: campaign.summary },
    { property: 'og:type', content: 'website' },
    { property: 'og:title', content: campaign.title },
    { property: 'og:description', content: campaign.summary },
    { property: 'og:url', content: canonicalUrl },
    { property: 'og:site_name', content: 'Chorus' },
    { property: 'og:image', content: shareImage.url },
    ...(shareImage.width && shareImage.height
      ? [
          { property: 'og:image:width', content: String(shareImage.width) },
          { property: 'og:image:height', content: String(shareImage.height) },
        ]
      : []),
    { property: 'og:image:alt', content: shareImage.alt },
    // A large picture on shared links (og:image, summary_large_image).
    { name: 'twitter:card', content: 'summary_large_image' },
    { name: 'twitter:image', content: shareImage.url },
    { tagName: 'link', rel: 'canonical', href: canonicalUrl },
  ]
}

export default function CampaignPage() {
  return <CampaignView view={useLoaderData<typeof loader>()} />
}
