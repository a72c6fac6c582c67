import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { DonationAsk } from '~/components/donation-summary'
import { ProgressToGoal } from '~/components/progress-to-goal'
import { ShareLinks } from '~/components/share-links'
import { requirePublicCampaign } from '~/http/campaign.server'
import { getEnv } from '~/utils/env.server'
import { isStripeConfigured } from '~/utils/stripe.server'
import { NO_STORE } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const t = makeTranslator(locale)
  return data(
    {
      slug: campaign.slug,
      title: campaign.content.title,
      contentLocale: campaign.contentLocale,
      signatureCount: campaign.signatureCount,
      signatureGoal: campaign.signatureGoal,
      canonicalUrl: `${getEnv().APP_URL}/campaigns/${campaign.slug}`,
      pageTitle: t('thanks.title'),
      canDonate: isStripeConfigured(),
    },
    { headers: { 'Cache-Control': NO_STORE } },
  )
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function ThankYou() {
  const { slug, title, contentLocale, signatureCount, signatureGoal, canonicalUrl, canDonate } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <div className="wrap narrow">
      <h1>{t('thanks.title')}</h1>
      <p className="lede">
        {t('thanks.confirmed')} <q lang={contentLocale}>{title}</q>
      </p>
      <ProgressToGoal id="thanks-progress" count={signatureCount} goal={signatureGoal} />
      <p>{t('thanks.countNote')}</p>
      {canDonate ? <DonationAsk slug={slug} /> : null}
      <ShareLinks url={canonicalUrl} title={title} headingId="thanks-share" />
      <p>
        <Link to={`/campaigns/${slug}`}>{t('thanks.back')}</Link>
      </p>
    </div>
  )
}
