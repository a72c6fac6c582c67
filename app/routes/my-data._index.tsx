import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { FormField } from '~/components/form-field'
import { MyDataRequestSchema, requestMyDataLink } from '~/models/my-data.server'
import { readForm } from '~/utils/form.server'
import { NO_STORE } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { requestContext } from '~/utils/request.server'
import { useT } from '~/utils/use-t'

export async function loader({ request }: LoaderFunctionArgs) {
  const t = makeTranslator(await getLocale(request))
  const url = new URL(request.url)
  return data(
    {
      pageTitle: t('myData.title'),
      sent: url.searchParams.get('sent') === '1',
      expired: url.searchParams.get('expired') === '1',
      erased: url.searchParams.get('erased') === '1',
    },
    { headers: { 'Cache-Control': NO_STORE } },
  )
}

export async function action({ request, context }: ActionFunctionArgs) {
  const locale = await getLocale(request)
  const parsed = MyDataRequestSchema.safeParse(Object.fromEntries(await readForm(request)))
  if (!parsed.success) return data({ error: 'myData.error.email' as const }, { status: 400, headers: { 'Cache-Control': NO_STORE } })
  const outcome = await requestMyDataLink(parsed.data.email, requestContext(request, context).ip, locale)
  if (outcome.status === 'rate-limited') {
    return data(
      { error: 'myData.error.rateLimited' as const },
      { status: 429, headers: { 'Cache-Control': NO_STORE, 'Retry-After': String(outcome.retryAfterSeconds) } },
    )
  }
  // The same answer whether or not the address is known.
  return redirect(`/my-data?sent=1&lang=${locale}`, { headers: { 'Cache-Control': NO_STORE } })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function MyData() {
  const { sent, expired, erased } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const error = result && 'error' in result ? t(result.error) : undefined
  if (erased) {
    return (
      <div className="wrap narrow">
        <h1>{t('myData.erased')}</h1>
        <p className="lede">{t('myData.erasedText')}</p>
      </div>
    )
  }
  return (
    <div className="wrap narrow">
      <h1>{t('myData.title')}</h1>
      {sent ? (
        <p role="status" className="notice">
          {t('myData.sent')}
        </p>
      ) : null}
      {expired ? <p className="notice">{t('myData.expired')}</p> : null}
      <p className="lede">{t('myData.intro')}</p>
      <Form method="post" noValidate className="stack">
        <FormField id="my-data-email" label={t('myData.email')} error={error}>
          <input name="email" type="email" autoComplete="email" spellCheck={false} maxLength={254} required />
        </FormField>
        <button type="submit" className="button">
          {t('myData.submit')}
        </button>
      </Form>
    </div>
  )
}
