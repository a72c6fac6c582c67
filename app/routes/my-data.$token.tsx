import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useParams } from '@remix-run/react'
import { jsonDownloadResponse } from '~/http/responses.server'
import { eraseMyData, getMyData } from '~/models/my-data.server'
import { readForm } from '~/utils/form.server'
import { NO_STORE } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { formatMoney } from '~/utils/money'
import { useT } from '~/utils/use-t'

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const mine = await getMyData(params.token)
  if (!mine) return redirect(`/my-data?expired=1&lang=${locale}`, { headers: { 'Cache-Control': NO_STORE } })
  const confirming = new URL(request.url).searchParams.get('erase') === '1'
  return data(
    { pageTitle: makeTranslator(locale)('myData.title'), locale, confirming, ...mine },
    { headers: { 'Cache-Control': NO_STORE, 'Referrer-Policy': 'no-referrer' } },
  )
}

export async function action({ request, params }: ActionFunctionArgs) {
  const locale = await getLocale(request)
  const form = await readForm(request)
  const intent = form.get('intent')
  if (intent === 'download') {
    const mine = await getMyData(params.token)
    if (!mine) return redirect(`/my-data?expired=1&lang=${locale}`)
    return jsonDownloadResponse({ email: mine.email, ...mine.data }, 'my-data.json')
  }
  if (intent === 'erase' && form.get('confirm') === 'yes') {
    const erased = await eraseMyData(params.token)
    if (!erased) return redirect(`/my-data?expired=1&lang=${locale}`)
    // Post/redirect/get: the link is spent now, so this page's loader could only say "expired".
    return redirect(`/my-data?erased=1&lang=${locale}`, { headers: { 'Cache-Control': NO_STORE } })
  }
  return data({ erased: false }, { status: 400, headers: { 'Cache-Control': NO_STORE } })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function MyDataPage() {
  const loaded = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const { token } = useParams()
  const t = useT()
  if (result && 'erased' in result && result.erased) {
    return (
      <div className="wrap narrow">
        <h1>{t('myData.erased')}</h1>
        <p className="lede">{t('myData.erasedText')}</p>
      </div>
    )
  }
  const { email, data: held, confirming, locale } = loaded
  const date = (iso: string) => new Date(iso).toLocaleDateString(locale === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' })
  const yesNo = (value: boolean) => t(value ? 'myData.yes' : 'myData.no')
  return (
    <div className="wrap narrow stack my-data">
      <h1>{t('myData.listTitle', { email })}</h1>
      <h2>{t('myData.signatures')}</h2>
      {held.signatures.length === 0 ? <p>{t('myData.none')}</p> : null}
      <ul>
        {held.signatures.map((s) => (
          <li key={`${s.campaign}/${s.signedAt}`}>
            {t('myData.signature', {
              campaign: s.campaign,
              organisation: s.organisation,
              date: date(s.signedAt),
              name: s.fullName,
              country: s.country,
              postcode: s.postcode ?? '—',
              updates: yesNo(s.keepMeUpdated),
              showName: yesNo(s.showMyName),
            })}
          </li>
        ))}
      </ul>
      <h2>{t('myData.gifts')}</h2>
      {held.gifts.length === 0 ? <p>{t('myData.none')}</p> : null}
      <ul>
        {held.gifts.map((g) => (
          <li key={`${g.campaign}/${g.givenAt}`}>
            {t('myData.gift', {
              amount: formatMoney(locale, g.amountMinor, g.currency),
              campaign: g.campaign,
              organisation: g.organisation,
              date: date(g.givenAt),
              frequency: g.frequency,
            })}
          </li>
        ))}
      </ul>
      <h2>{t('myData.preferences')}</h2>
      {held.emailPreferences.length + held.suppressions.length === 0 ? <p>{t('myData.none')}</p> : null}
      <ul>
        {held.emailPreferences.map((p) => (
          <li key={`${p.organisation}/${p.unsubscribedAt}`}>
            {t('myData.unsubscribed', { organisation: p.organisation, scope: p.campaign ?? t('myData.allCampaigns'), date: date(p.unsubscribedAt) })}
          </li>
        ))}
        {held.suppressions.map((x) => (
          <li key={`${x.organisation}/${x.since}`}>{t('myData.suppressed', { organisation: x.organisation, date: date(x.since) })}</li>
        ))}
      </ul>
      {/* A resource route: the browser saves the file, with or without JavaScript. */}
      <Form method="post" action={`/my-data/${token}/download`} reloadDocument>
        <input type="hidden" name="intent" value="download" />
        <button type="submit" className="button secondary">
          {t('myData.download')}
        </button>
      </Form>
      {confirming ? (
        <section aria-labelledby="erase-heading" className="stack">
          <h2 id="erase-heading">{t('myData.confirmTitle')}</h2>
          <p>{t('myData.confirmText')}</p>
          <Form method="post">
            <input type="hidden" name="intent" value="erase" />
            <input type="hidden" name="confirm" value="yes" />
            <button type="submit" className="button danger">
              {t('myData.confirm')}
            </button>
          </Form>
          <Link to="?">{t('myData.cancel')}</Link>
        </section>
      ) : (
        <Form method="get">
          <input type="hidden" name="erase" value="1" />
          <button type="submit" className="button danger">
            {t('myData.erase')}
          </button>
        </Form>
      )}
    </div>
  )
}
