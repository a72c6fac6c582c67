import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { cancelMonthlyDonation, createBillingPortalUrl, getDonationWithCampaign, signDonationManage, verifyDonationManage } from '~/models/donation.server'
import { getEnv } from '~/utils/env.server'
import { readForm } from '~/utils/form.server'
import { NO_STORE } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { logger } from '~/utils/logger.server'
import { formatMoney } from '~/utils/money'
import { useLocale, useT } from '~/utils/use-t'

export const ManageDonationSchema = z.object({
  sig: z.string().min(1).max(200),
  intent: z.enum(['cancel', 'portal']),
})

const PRIVATE = { 'Cache-Control': NO_STORE }

type View = 'active' | 'cancelled' | 'not-started' | 'one-off' | 'invalid'

/** The page a monthly donor reaches from the signed link in each receipt. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const sig = new URL(request.url).searchParams.get('sig') ?? ''
  const id = params.id ?? ''
  const donation = sig && verifyDonationManage(id, sig) ? await getDonationWithCampaign(id, locale) : null
  if (!donation) {
    return data({ view: 'invalid' as View, pageTitle: t('manage.invalidTitle'), sig: '', donation: null }, { status: 404, headers: PRIVATE })
  }
  const view: View =
    donation.frequency !== 'monthly' ? 'one-off' : donation.cancelled_at ? 'cancelled' : donation.stripe_subscription_id ? 'active' : 'not-started'
  return data(
    {
      view,
      pageTitle: t('manage.title'),
      sig,
      donation: {
        amountMinor: donation.amount_minor,
        currency: donation.currency,
        campaignTitle: donation.campaign_title,
        contentLocale: donation.content_locale,
        campaignSlug: donation.campaign_slug,
        canChangeCard: Boolean(donation.stripe_customer_id),
      },
    },
    { headers: PRIVATE },
  )
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = params.id ?? ''
  const parsed = ManageDonationSchema.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success || !verifyDonationManage(id, parsed.data.sig)) {
    return data({ error: 'manage.invalid' as const }, { status: 403, headers: PRIVATE })
  }
  const back = `/donations/${id}/manage?sig=${signDonationManage(id)}`
  try {
    if (parsed.data.intent === 'portal') {
      const url = await createBillingPortalUrl(id, `${getEnv().APP_URL}${back}`)
      return redirect(url ?? back, { status: 303, headers: PRIVATE })
    }
    await cancelMonthlyDonation(id)
  } catch (error) {
    logger.error({ err: error, donationId: id }, 'monthly gift could not be changed')
    return data({ error: 'manage.error.unavailable' as const }, { status: 502, headers: PRIVATE })
  }
  return redirect(back, { status: 303, headers: PRIVATE })
}

export const headers = ({ loaderHeaders, actionHeaders }: { loaderHeaders: Headers; actionHeaders: Headers }) =>
  actionHeaders.get('Cache-Control') ? actionHeaders : loaderHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function ManageDonation() {
  const { view, pageTitle, sig, donation } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const locale = useLocale()
  if (view === 'invalid' || !donation) {
    return (
      <div className="wrap narrow">
        <h1>{pageTitle}</h1>
        <p>{t('manage.invalid')}</p>
      </div>
    )
  }
  const amount = formatMoney(locale, donation.amountMinor, donation.currency)
  return (
    <div className="wrap narrow">
      <h1>{pageTitle}</h1>
      <p className="lede">{t('manage.summary', { amount, title: donation.campaignTitle })}</p>
      {actionData?.error ? (
        <div role="alert" className="error-summary">
          <p>{t(actionData.error)}</p>
        </div>
      ) : null}
      <div role="status" aria-live="polite">
        {view === 'cancelled' ? <p className="notice">{t('manage.cancelled')}</p> : null}
        {view === 'not-started' ? <p>{t('manage.notStarted')}</p> : null}
        {view === 'one-off' ? <p>{t('manage.oneOff')}</p> : null}
      </div>
      {view === 'active' ? (
        <>
          <p>{t('manage.active')}</p>
          <Form method="post">
            <input type="hidden" name="sig" value={sig} />
            <p>{t('manage.cancelNote')}</p>
            <button type="submit" name="intent" value="cancel" className="button" disabled={navigation.state === 'submitting'}>
              {t('manage.cancelButton')}
            </button>
          </Form>
          {donation.canChangeCard ? (
            <Form method="post" className="manage-portal">
              <input type="hidden" name="sig" value={sig} />
              <button type="submit" name="intent" value="portal" className="button secondary" disabled={navigation.state === 'submitting'}>
                {t('manage.portalButton')}
              </button>
            </Form>
          ) : null}
        </>
      ) : null}
      <p>
        <Link to={`/campaigns/${donation.campaignSlug}`}>{t('donateThanks.back')}</Link>
      </p>
    </div>
  )
}
