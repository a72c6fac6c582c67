import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData, useLocation, useRevalidator } from '@remix-run/react'
import { useEffect } from 'react'
import { SETTLED_STATES, getDonationWithCampaign, verifyDonationStatus } from '~/models/donation.server'
import { NO_STORE } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { formatMoney } from '~/utils/money'
import { useLocale, useT } from '~/utils/use-t'

type View = 'processing' | 'confirmed' | 'failed' | 'invalid'

/** Where Stripe Checkout sends the donor back: "processing" until the webhook has recorded the payment. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const url = new URL(request.url)
  const donationId = url.searchParams.get('donation') ?? ''
  const sig = url.searchParams.get('sig') ?? ''
  const donation = sig && verifyDonationStatus(donationId, sig) ? await getDonationWithCampaign(donationId, locale) : null
  if (!donation || donation.campaign_slug !== params.slug) {
    return data(
      { view: 'invalid' as View, pageTitle: t('donateThanks.invalidTitle'), slug: params.slug ?? '', donation: null },
      { status: 404, headers: { 'Cache-Control': NO_STORE } },
    )
  }
  const view: View = (SETTLED_STATES as readonly string[]).includes(donation.status)
    ? 'confirmed'
    : donation.status === 'failed' || donation.status === 'expired'
      ? 'failed'
      : 'processing'
  return data(
    {
      view,
      pageTitle: t(view === 'failed' ? 'donateThanks.failedTitle' : 'donateThanks.title'),
      slug: donation.campaign_slug,
      donation: { frequency: donation.frequency, amountMinor: donation.amount_minor, currency: donation.currency },
    },
    { headers: { 'Cache-Control': NO_STORE } },
  )
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function DonationThankYou() {
  const { view, pageTitle, slug, donation } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const location = useLocation()
  const revalidator = useRevalidator()
  // With JavaScript, look again every two seconds while the payment is processing; without it,
  // the "Check again" link does the same.
  useEffect(() => {
    if (view !== 'processing') return
    const timer = setInterval(() => {
      if (revalidator.state === 'idle') revalidator.revalidate()
    }, 2000)
    return () => clearInterval(timer)
  }, [view, revalidator])
  const amount = donation ? formatMoney(locale, donation.amountMinor, donation.currency) : ''
  const monthly = donation?.frequency === 'monthly'
  return (
    <div className="wrap narrow">
      <h1>{pageTitle}</h1>
      <div role="status" aria-live="polite">
        {view === 'invalid' ? <p>{t('donateThanks.invalid')}</p> : null}
        {view === 'processing' ? (
          <p className="lede donation-status" data-status="processing">
            {t(monthly ? 'donateThanks.processingMonthly' : 'donateThanks.processing', { amount })}
          </p>
        ) : null}
        {view === 'confirmed' ? (
          <p className="lede donation-status" data-status="confirmed">
            {t(monthly ? 'donateThanks.confirmedMonthly' : 'donateThanks.confirmed', { amount })}
          </p>
        ) : null}
        {view === 'failed' ? <p className="lede">{t('donateThanks.failed')}</p> : null}
      </div>
      {view === 'processing' ? (
        <p>
          <Link to={`${location.pathname}${location.search}`} reloadDocument>
            {t('donateThanks.refresh')}
          </Link>
        </p>
      ) : null}
      {view === 'failed' ? (
        <p>
          <Link to={`/campaigns/${slug}/donate`}>{t('donateThanks.tryAgain')}</Link>
        </p>
      ) : null}
      {slug ? (
        <p>
          <Link to={`/campaigns/${slug}`}>{t('donateThanks.back')}</Link>
        </p>
      ) : null}
    </div>
  )
}
