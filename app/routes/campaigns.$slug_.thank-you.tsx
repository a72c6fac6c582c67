import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { DonationAsk } from '~/components/donation-summary'
import { ProgressToGoal } from '~/components/progress-to-goal'
import { ShareActions } from '~/components/share-actions'
import { requirePublicCampaign } from '~/http/campaign.server'
import { listOtherLiveCampaigns } from '~/models/campaign.server'
import { countIncludingSigner } from '~/models/signature-count.server'
import { getEnv } from '~/utils/env.server'
import { isStripeConfigured } from '~/utils/stripe.server'
import { NO_STORE } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { donorSignatureId } from '~/utils/cookies.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const t = makeTranslator(locale)
  // The confirmation left a short-lived cookie naming the signature: count it even before the
  // counter job has folded it in, so the new signer sees their own voice in the number.
  const signatureId = await donorSignatureId(request.headers.get('Cookie'))
  const [signatureCount, others] = await Promise.all([
    countIncludingSigner(campaign.id, signatureId),
    listOtherLiveCampaigns(campaign.organisation.id, campaign.id, locale),
  ])
  return data(
    {
      slug: campaign.slug,
      title: campaign.content.title,
      contentLocale: campaign.contentLocale,
      signatureCount,
      signatureGoal: campaign.signatureGoal,
      canonicalUrl: `${getEnv().APP_URL}/campaigns/${campaign.slug}`,
      pageTitle: t('thanks.title'),
      canDonate: isStripeConfigured(),
      organisationName: campaign.organisation.name,
      otherCampaigns: others.map((c) => ({ slug: c.slug, title: c.content.title, summary: c.content.summary, contentLocale: c.contentLocale })),
    },
    { headers: { 'Cache-Control': NO_STORE } },
  )
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function ThankYou() {
  const { slug, title, contentLocale, signatureCount, signatureGoal, canonicalUrl, canDonate, organisationName, otherCampaigns } =
    useLoaderData<typeof loader>()
  const t = useT()
  return (
    <div className="wrap narrow">
      <h1>{t('thanks.title')}</h1>
      <p className="lede">
        {t('thanks.confirmed')} <q lang={contentLocale}>{title}</q>
      </p>
      <ProgressToGoal id="thanks-progress" count={signatureCount} goal={signatureGoal} />
      <ShareActions url={canonicalUrl} title={title} headingId="thanks-share" />
      {canDonate || otherCampaigns.length > 0 ? (
        <section aria-labelledby="next-heading" className="next-steps">
          <h2 id="next-heading">{t('reach.thanks.nextHeading')}</h2>
          {canDonate ? <DonationAsk slug={slug} headingLevel={3} /> : null}
          {otherCampaigns.length > 0 ? (
            <section aria-labelledby="others-heading">
              <h3 id="others-heading">{t('reach.thanks.othersHeading', { organisation: organisationName })}</h3>
              <ul className="other-campaigns">
                {otherCampaigns.map((c) => (
                  <li key={c.slug}>
                    <Link to={`/campaigns/${c.slug}`} lang={c.contentLocale}>
                      {c.title}
                    </Link>
                    <p className="hint" lang={c.contentLocale}>
                      {c.summary}
                    </p>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </section>
      ) : null}
      <p>
        <Link to={`/campaigns/${slug}`}>{t('thanks.back')}</Link>
      </p>
    </div>
  )
}
