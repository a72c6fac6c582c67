import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { FormField } from '~/components/form-field'
import { ShareActions } from '~/components/share-actions'
import { requirePublicCampaign } from '~/http/campaign.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { correctSignatureEmail, resendSignatureEmail } from '~/models/signature-resend.server'
import { CheckEmailActionSchema } from '~/models/signature-schema'
import { getEnv } from '~/utils/env.server'
import { parseSubmission, readForm } from '~/utils/form.server'
import { NO_STORE } from '~/utils/http.server'
import { messageKey } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { requestContext } from '~/utils/request.server'
import { rateLimitKey } from '~/utils/security.server'
import { readSentEmail, sentEmailCookieHeader } from '~/utils/sent-email-cookie.server'
import { useT } from '~/utils/use-t'

const DONE = ['again', 'corrected'] as const

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const t = makeTranslator(locale)
  const sent = await readSentEmail(campaign.id, request.headers.get('Cookie'))
  const done = new URL(request.url).searchParams.get('done')
  return data(
    {
      slug: campaign.slug,
      title: campaign.content.title,
      contentLocale: campaign.contentLocale,
      pageTitle: t('check.title'),
      // Only this browser's own address, from its own cookie: the page is never cached.
      email: sent?.email ?? null,
      done: (DONE as readonly string[]).includes(done ?? '') ? (done as (typeof DONE)[number]) : null,
      canonicalUrl: `${getEnv().APP_URL}/campaigns/${campaign.slug}`,
    },
    { headers: { 'Cache-Control': NO_STORE } },
  )
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const locale = await getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale, request)
  const noStore = { 'Cache-Control': NO_STORE }
  const env = getEnv()
  const limit = await hitRateLimit(`sign:${rateLimitKey(requestContext(request, context).ip)}`, {
    limit: env.SIGN_RATE_LIMIT,
    windowSeconds: env.SIGN_RATE_WINDOW_SECONDS,
  })
  if (!limit.allowed) {
    return data({ error: messageKey('sign.error.rateLimited') }, { status: 429, headers: { ...noStore, 'Retry-After': String(limit.retryAfterSeconds) } })
  }
  const submission = parseSubmission(await readForm(request), CheckEmailActionSchema)
  if (submission.status !== 'success') {
    const message = submission.error?.email?.[0] ?? 'sign.error.emailInvalid'
    return data({ error: message }, { status: 400, headers: noStore })
  }
  const sent = await readSentEmail(campaign.id, request.headers.get('Cookie'))
  // Without the cookie there is nothing to send again: the page says so (and no address is guessed).
  if (!sent) return redirect(`/campaigns/${campaign.slug}/check-your-email#main`, { headers: noStore })
  if (submission.value.intent === 'resend') {
    // Whatever happened (sent, over the daily limit, already signed), the answer is the same.
    await resendSignatureEmail(campaign.id, sent.email)
    return redirect(`/campaigns/${campaign.slug}/check-your-email?done=again#main`, { headers: noStore })
  }
  const email = submission.value.email
  // Only the signature this browser made can move; otherwise the new address gets what signing
  // with it would send (its own confirmation or "already signed"), if it has signed at all.
  const corrected = sent.signatureId
    ? await correctSignatureEmail(campaign.id, sent.signatureId, email)
    : { signatureId: null, outcome: await resendSignatureEmail(campaign.id, email) }
  const cookie = await sentEmailCookieHeader(campaign.slug, { campaignId: campaign.id, email, signatureId: corrected.signatureId })
  return redirect(`/campaigns/${campaign.slug}/check-your-email?done=corrected#main`, { headers: { ...noStore, 'Set-Cookie': cookie } })
}

export const headers = ({ loaderHeaders, actionHeaders }: { loaderHeaders: Headers; actionHeaders: Headers }) =>
  actionHeaders.get('Cache-Control') ? actionHeaders : loaderHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function CheckYourEmail() {
  const { slug, title, contentLocale, email, done, canonicalUrl } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const busy = navigation.state === 'submitting'
  const error = actionData && 'error' in actionData ? t.message(actionData.error) : undefined
  return (
    <div className="wrap narrow">
      <h1>{t('check.title')}</h1>
      <p className="lede">
        {t('check.sent')} <q lang={contentLocale}>{title}</q>
      </p>
      {email ? <p className="sent-to">{t('reach.check.sentTo', { email })}</p> : null}
      <p>{t('check.click')}</p>
      <div role="status">
        {done === 'again' ? <p className="notice success">{t('reach.check.resent')}</p> : null}
        {done === 'corrected' && email ? <p className="notice success">{t('reach.check.corrected', { email })}</p> : null}
      </div>
      <div className="notice">
        <h2>{t('check.noEmailHeading')}</h2>
        <ul>
          <li>{t('check.spam')}</li>
          <li>{t('check.wait')}</li>
        </ul>
        {email ? (
          <Form method="post" action={`/campaigns/${slug}/check-your-email`}>
            <input type="hidden" name="intent" value="resend" />
            <p className="hint">{t('reach.check.resendHint')}</p>
            <button type="submit" className="button secondary" disabled={busy}>
              {t('reach.check.resend')}
            </button>
          </Form>
        ) : (
          <p>{t('reach.check.forgotten')}</p>
        )}
      </div>
      {email ? (
        <section aria-labelledby="correct-heading" className="correct-email">
          <h2 id="correct-heading">{t('reach.check.correctHeading')}</h2>
          <Form method="post" action={`/campaigns/${slug}/check-your-email`} noValidate>
            <input type="hidden" name="intent" value="correct" />
            <FormField id="correct-email" label={t('reach.check.correctLabel')} error={error}>
              <input name="email" type="email" autoComplete="email" spellCheck={false} defaultValue={email} required />
            </FormField>
            <button type="submit" className="button secondary" disabled={busy}>
              {t('reach.check.correct')}
            </button>
          </Form>
        </section>
      ) : null}
      <ShareActions url={canonicalUrl} title={title} headingId="check-share" heading={t('reach.share.whileWaiting')} />
      <p>
        <Link to={`/campaigns/${slug}`}>{t('check.back')}</Link>
      </p>
    </div>
  )
}
