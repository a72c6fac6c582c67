import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { CampaignView } from '~/components/campaign-view'
import { campaignViewData } from '~/components/campaign-view.server'
import { isSignable } from '~/models/campaign.server'
import { requirePublicCampaign } from '~/http/campaign.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { SignCampaignServerSchema, signCampaign } from '~/models/signature.server'
import { getEnv } from '~/utils/env.server'
import { formErrorResult, readForm } from '~/utils/form.server'
import { NO_STORE, publicHeaders } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n'
import { getLocale } from '~/utils/locale.server'
import { requestContext } from '~/utils/request.server'
import { rateLimitKey } from '~/utils/security.server'

/** How many problems a refused no-JS submission had: the action tells the loader of the same request. */
const ERROR_COUNT = Symbol('signErrorCount')
type CountingContext = { [ERROR_COUNT]?: number }

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const locale = getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const errorCount = (context as CountingContext | undefined)?.[ERROR_COUNT] ?? 0
  return data(
    {
      ...(await campaignViewData(campaign, locale, new URL(request.url))),
      // The page title starts with the number of errors after a refused submission (issue 14).
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
  const locale = getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const noStore = { 'Cache-Control': NO_STORE }
  // The rate limit comes before the body is read: a refused client costs one query, not a parse.
  const ctx = requestContext(request, context)
  const env = getEnv()
  const limit = await hitRateLimit(`sign:${rateLimitKey(ctx.ip)}`, {
    limit: env.SIGN_RATE_LIMIT,
    windowSeconds: env.SIGN_RATE_WINDOW_SECONDS,
  })
  if (!limit.allowed) {
    return data(
      { result: countErrors(context, formErrorResult('sign.error.rateLimited')) },
      { status: 429, headers: { ...noStore, 'Retry-After': String(limit.retryAfterSeconds) } },
    )
  }
  const formData = await readForm(request)
  const submission = parseWithZod(formData, { schema: SignCampaignServerSchema })
  if (!isSignable(campaign)) {
    return data({ result: countErrors(context, submission.reply({ formErrors: ['sign.error.closed'] })) }, { status: 403, headers: noStore })
  }
  if (submission.status !== 'success') {
    return data({ result: countErrors(context, submission.reply()) }, { status: 400, headers: noStore })
  }
  await signCampaign(campaign, submission.value, { ...ctx, locale })
  // An explicit fragment: otherwise browsers carry the form's #sign over the redirect.
  return redirect(`/campaigns/${campaign.slug}/check-your-email#main`, { headers: noStore })
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
    // Issue 14: a large picture on shared links.
    { name: 'twitter:card', content: 'summary_large_image' },
    { name: 'twitter:image', content: shareImage.url },
    { tagName: 'link', rel: 'canonical', href: canonicalUrl },
  ]
}

export default function CampaignPage() {
  return <CampaignView view={useLoaderData<typeof loader>()} />
}
