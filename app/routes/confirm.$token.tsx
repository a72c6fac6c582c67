import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { getPublicCampaignById, isSignable } from '~/models/campaign.server'
import { confirmSignature, getPendingSignatureByToken } from '~/models/signature.server'
import { donorCookieHeader } from '~/utils/cookies.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

// The token is in the URL: never cache these pages (the server entry sets Referrer-Policy: no-referrer).
const PRIVATE = { 'Cache-Control': 'no-store' }

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const signature = await getPendingSignatureByToken(params.token ?? '')
  const campaign = signature ? await getPublicCampaignById(signature.campaign_id, locale) : null
  if (!signature || !campaign || campaign.status === 'draft') {
    return data({ state: 'invalid' as const, pageTitle: t('confirm.invalidTitle'), campaign: null }, { status: 404, headers: PRIVATE })
  }
  return data(
    {
      state: isSignable(campaign) ? ('pending' as const) : ('closed' as const),
      pageTitle: t('confirm.title'),
      campaign: { slug: campaign.slug, title: campaign.content.title, summary: campaign.content.summary, contentLocale: campaign.contentLocale },
    },
    { headers: PRIVATE },
  )
}

export async function action({ request, params }: ActionFunctionArgs) {
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const result = await confirmSignature(params.token ?? '')
  if (result.status === 'confirmed') {
    // A short-lived cookie lets the donate page fill in the new supporter's name and email.
    const cookie = await donorCookieHeader(result.signatureId, result.campaignSlug)
    return redirect(`/campaigns/${result.campaignSlug}/thank-you`, { headers: { ...PRIVATE, 'Set-Cookie': cookie } })
  }
  if (result.status === 'closed') {
    return data({ state: 'closed' as const, pageTitle: t('confirm.closedTitle') }, { status: 409, headers: PRIVATE })
  }
  return data({ state: 'invalid' as const, pageTitle: t('confirm.invalidTitle') }, { status: 404, headers: PRIVATE })
}

export const headers = ({ loaderHeaders, actionHeaders }: { loaderHeaders: Headers; actionHeaders: Headers }) =>
  actionHeaders.get('Cache-Control') ? actionHeaders : loaderHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function ConfirmSignature() {
  const loaderData = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const state = actionData?.state ?? loaderData.state
  if (state === 'invalid') {
    return (
      <div className="wrap narrow">
        <h1>{t('confirm.invalidTitle')}</h1>
        <p>{t('confirm.invalidBody')}</p>
        <p>
          <Link to="/">{t('error.home')}</Link>
        </p>
      </div>
    )
  }
  if (state === 'closed') {
    return (
      <div className="wrap narrow">
        <h1>{t('confirm.closedTitle')}</h1>
        <p>{t('confirm.closedBody')}</p>
      </div>
    )
  }
  const campaign = loaderData.campaign!
  return (
    <div className="wrap narrow">
      <h1>{t('confirm.title')}</h1>
      <p>{t('confirm.intro')}</p>
      <div className="panel">
        <h2 lang={campaign.contentLocale}>{campaign.title}</h2>
        <p lang={campaign.contentLocale}>{campaign.summary}</p>
        <Form method="post">
          <button type="submit" className="button">
            {t('confirm.button')}
          </button>
        </Form>
      </div>
      <p className="hint">{t('confirm.why')}</p>
    </div>
  )
}
