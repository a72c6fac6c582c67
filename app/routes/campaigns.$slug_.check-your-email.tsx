import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { requirePublicCampaign } from '~/http/campaign.server'
import { NO_STORE } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const t = makeTranslator(locale)
  return data(
    { slug: campaign.slug, title: campaign.content.title, contentLocale: campaign.contentLocale, pageTitle: t('check.title') },
    { headers: { 'Cache-Control': NO_STORE } },
  )
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function CheckYourEmail() {
  const { slug, title, contentLocale } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <div className="wrap narrow">
      <h1>{t('check.title')}</h1>
      <p className="lede">
        {t('check.sent')} <q lang={contentLocale}>{title}</q>
      </p>
      <p>{t('check.click')}</p>
      <div className="notice">
        <h2>{t('check.noEmailHeading')}</h2>
        <ul>
          <li>{t('check.spam')}</li>
          <li>{t('check.wait')}</li>
          <li>{t('check.again')}</li>
        </ul>
      </div>
      <p>
        <Link to={`/campaigns/${slug}`}>{t('check.back')}</Link>
      </p>
    </div>
  )
}
