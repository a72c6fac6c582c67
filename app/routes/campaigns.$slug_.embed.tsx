import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { MilestoneProgress, SignForm } from '~/components/campaign-view'
import { campaignViewData } from '~/components/campaign-view.server'
import { attemptSignature } from '~/components/sign-action.server'
import { requirePublicCampaign } from '~/http/campaign.server'
import type { PageHandle } from '~/root'
import { embedSource, partnerHostOf } from '~/utils/embed.server'
import { getEnv } from '~/utils/env.server'
import { NO_STORE } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

// The count and the sign form alone, for an iframe on a partner's site (decision 0038). The only
// page any site may frame (server/app.ts); it signs through the same confirmation flow.

export const handle: PageHandle = { hydrate: false, script: 'campaign-page', chrome: false }

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const url = new URL(request.url)
  const view = await campaignViewData(campaign, locale, url)
  return data(
    {
      ...view,
      // The partner's own tracking parameters do not travel into our form: the source is the embed.
      tracking: { source: '', utmSource: '', utmMedium: '', utmCampaign: '' },
      partner: partnerHostOf(request, getEnv().APP_URL),
      sent: url.searchParams.get('sent') === '1',
      pageTitle: makeTranslator(locale)('reach.embed.pageTitle', { title: campaign.content.title }),
    },
    { headers: { 'Cache-Control': NO_STORE } },
  )
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const locale = await getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const noStore = { 'Cache-Control': NO_STORE }
  let partner: string | null = null
  const attempt = await attemptSignature(request, context, campaign, locale, {
    source: (form) => {
      partner = typeof form.get('partner') === 'string' ? (form.get('partner') as string) : null
      return embedSource(partner)
    },
  })
  if (attempt.kind === 'refused') {
    const headers: Record<string, string> = { ...noStore }
    if (attempt.retryAfterSeconds) headers['Retry-After'] = String(attempt.retryAfterSeconds)
    return data({ result: attempt.result }, { status: attempt.status, headers })
  }
  // Every outcome answered the same way, inside the frame.
  const next = new URLSearchParams({ sent: '1', lang: locale })
  if (partner) next.set('partner', embedSource(partner).slice('embed:'.length))
  return redirect(`/campaigns/${campaign.slug}/embed?${next}`, { headers: noStore })
}

export const headers = ({ loaderHeaders, actionHeaders }: { loaderHeaders: Headers; actionHeaders: Headers }) =>
  actionHeaders.get('Cache-Control') ? actionHeaders : loaderHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? 'Chorus' }, { name: 'robots', content: 'noindex' }]

export default function CampaignEmbed() {
  const view = useLoaderData<typeof loader>()
  const { campaign } = view
  const t = useT()
  return (
    <div className="embed" data-embed="">
      <h1 lang={campaign.contentLocale}>{campaign.title}</h1>
      <p className="hint">{t('reach.embed.by', { organisation: campaign.organisation.name })}</p>
      <MilestoneProgress id="embed-progress" count={campaign.signatureCount} next={view.nextTarget} goal={campaign.signatureGoal} />
      {view.sent ? (
        <section className="notice" aria-labelledby="embed-sent-heading">
          <h2 id="embed-sent-heading">{t('reach.embed.sentHeading')}</h2>
          <p>{t('reach.embed.sentBody')}</p>
        </section>
      ) : campaign.signable ? (
        <SignForm view={view} preview={false} embedded={{ partner: view.partner }} />
      ) : (
        <p className="notice">{t('campaign.closed')}</p>
      )}
      <p>
        <a href={`/campaigns/${campaign.slug}`} target="_blank" rel="noopener">
          {t('reach.embed.readMore')}
          <span className="visually-hidden"> {t('reach.embed.newWindow')}</span>
        </a>
      </p>
    </div>
  )
}
