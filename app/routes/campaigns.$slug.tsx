import { getFormProps, getInputProps, getSelectProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { FormField } from '~/components/form-field'
import { ProgressToGoal } from '~/components/progress-to-goal'
import { ShareLinks } from '~/components/share-links'
import { campaignPhase, getCountryCounts, getRecentPublicSigners, isSignable, requirePublicCampaign } from '~/models/campaign.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { SignCampaignSchema } from '~/models/signature-schema'
import { SignCampaignServerSchema, signCampaign } from '~/models/signature.server'
import { countryName, countryOptions } from '~/utils/countries.server'
import { getEnv } from '~/utils/env.server'
import { readForm } from '~/utils/form.server'
import { NO_STORE, publicHeaders } from '~/utils/http.server'
import { formatDate, formatNumber, type MessageKey } from '~/utils/i18n'
import { getLocale } from '~/utils/locale.server'
import { renderMarkdown } from '~/utils/markdown.server'
import { requestContext } from '~/utils/request.server'
import { hashIp } from '~/utils/security.server'
import { useLocale, useT } from '~/utils/use-t'


export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale)
  const [byCountry, recent] = await Promise.all([
    getCountryCounts(campaign.id),
    campaign.showRecentSigners ? getRecentPublicSigners(campaign.id) : Promise.resolve([]),
  ])
  const { APP_URL } = getEnv()
  const url = new URL(request.url)
  return data(
    {
      campaign: {
        slug: campaign.slug,
        status: campaign.status,
        signable: isSignable(campaign),
        phase: campaignPhase(campaign),
        opensAt: campaign.opensAt?.toISOString() ?? null,
        contentLocale: campaign.contentLocale,
        title: campaign.content.title,
        summary: campaign.content.summary,
        storyHtml: renderMarkdown(campaign.content.story),
        targetName: campaign.content.target_name,
        targetRole: campaign.content.target_role,
        demand: campaign.content.demand,
        signatureCount: campaign.signatureCount,
        signatureGoal: campaign.signatureGoal,
        closesAt: campaign.closesAt?.toISOString() ?? null,
        organisationName: campaign.organisation.name,
      },
      topCountries: Object.entries(byCountry)
        .slice(0, 5)
        .map(([code, count]) => ({ code, name: countryName(code, locale), count })),
      recentSigners: recent.map((s) => ({ firstName: s.firstName, country: countryName(s.country, locale) })),
      countries: countryOptions(locale),
      canonicalUrl: `${APP_URL}/campaigns/${campaign.slug}`,
      tracking: {
        source: url.searchParams.get('ref') ?? url.searchParams.get('source') ?? '',
        utmSource: url.searchParams.get('utm_source') ?? '',
        utmMedium: url.searchParams.get('utm_medium') ?? '',
        utmCampaign: url.searchParams.get('utm_campaign') ?? '',
      },
    },
    { headers: publicHeaders() },
  )
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const locale = getLocale(request)
  const campaign = await requirePublicCampaign(params.slug, locale)
  const noStore = { 'Cache-Control': NO_STORE }
  const formData = await readForm(request)
  const submission = parseWithZod(formData, { schema: SignCampaignServerSchema })
  if (!isSignable(campaign)) {
    return data({ result: submission.reply({ formErrors: ['sign.error.closed'] }) }, { status: 403, headers: noStore })
  }
  const ctx = requestContext(request, context)
  const env = getEnv()
  const limit = await hitRateLimit(`sign:${hashIp(ctx.ip).toString('hex')}`, {
    limit: env.SIGN_RATE_LIMIT,
    windowSeconds: env.SIGN_RATE_WINDOW_SECONDS,
  })
  if (!limit.allowed) {
    return data(
      { result: submission.reply({ formErrors: ['sign.error.rateLimited'] }) },
      { status: 429, headers: { ...noStore, 'Retry-After': String(limit.retryAfterSeconds) } },
    )
  }
  if (submission.status !== 'success') {
    return data({ result: submission.reply() }, { status: 400, headers: noStore })
  }
  await signCampaign(campaign, submission.value, { ...ctx, locale })
  return redirect(`/campaigns/${campaign.slug}/check-your-email`, { headers: noStore })
}

export const headers = ({ loaderHeaders, actionHeaders }: { loaderHeaders: Headers; actionHeaders: Headers }) =>
  actionHeaders.get('Cache-Control') ? actionHeaders : loaderHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  if (!data) return [{ title: 'Chorus' }]
  const { campaign, canonicalUrl } = data
  return [
    { title: `${campaign.title} · Chorus` },
    { name: 'description', content: campaign.summary },
    { property: 'og:type', content: 'website' },
    { property: 'og:title', content: campaign.title },
    { property: 'og:description', content: campaign.summary },
    { property: 'og:url', content: canonicalUrl },
    { property: 'og:site_name', content: 'Chorus' },
    { name: 'twitter:card', content: 'summary' },
    { tagName: 'link', rel: 'canonical', href: canonicalUrl },
  ]
}

function SignForm() {
  const { campaign, countries, tracking } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const [form, fields] = useForm({
    id: 'sign',
    lastResult: actionData && 'result' in actionData ? actionData.result : undefined,
    shouldValidate: 'onSubmit',
    shouldRevalidate: 'onBlur',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SignCampaignSchema }),
  })
  const tr = (message: string | undefined) => (message ? t(message as MessageKey) : undefined)
  const fieldErrors = [fields.fullName, fields.email, fields.country, fields.postcode]
    .filter((f) => f.errors?.length)
    .map((f) => ({ id: f.id, message: tr(f.errors![0])! }))
  const formErrors = (form.errors ?? []).map((e) => tr(e)!)
  const hasErrors = fieldErrors.length > 0 || formErrors.length > 0
  const fieldError = (field: { errors?: string[] }) => tr(field.errors?.[0])

  return (
    <Form method="post" {...getFormProps(form)} aria-labelledby="sign-heading">
      <h2 id="sign-heading">{t('sign.heading')}</h2>
      <div role="alert" aria-live="assertive">
        {hasErrors ? (
          <div className="error-summary" tabIndex={-1}>
            <h3>{t('sign.errorSummary')}</h3>
            <ul>
              {formErrors.map((message) => (
                <li key={message}>{message}</li>
              ))}
              {fieldErrors.map((error) => (
                <li key={error.id}>
                  <a href={`#${error.id}`}>{error.message}</a>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      <FormField id={fields.fullName.id} label={t('sign.fullName')} error={fieldError(fields.fullName)}>
        <input {...getInputProps(fields.fullName, { type: 'text' })} autoComplete="name" key={fields.fullName.key} />
      </FormField>
      <FormField id={fields.email.id} label={t('sign.email')} hint={t('sign.emailHint')} error={fieldError(fields.email)}>
        <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="email" spellCheck={false} key={fields.email.key} />
      </FormField>
      <FormField id={fields.country.id} label={t('sign.country')} error={fieldError(fields.country)}>
        <select {...getSelectProps(fields.country)} autoComplete="country" key={fields.country.key}>
          <option value="">{t('sign.countryChoose')}</option>
          {countries.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name}
            </option>
          ))}
        </select>
      </FormField>
      <FormField
        id={fields.postcode.id}
        label={
          <>
            {t('sign.postcode')} <span className="hint">{t('sign.optional')}</span>
          </>
        }
        error={fieldError(fields.postcode)}
      >
        <input {...getInputProps(fields.postcode, { type: 'text' })} autoComplete="postal-code" key={fields.postcode.key} />
      </FormField>
      <div className="check">
        <input {...getInputProps(fields.consentUpdates, { type: 'checkbox' })} key={fields.consentUpdates.key} />
        <label htmlFor={fields.consentUpdates.id}>{t('sign.consentUpdates')}</label>
      </div>
      <div className="check">
        <input {...getInputProps(fields.consentShowName, { type: 'checkbox' })} key={fields.consentShowName.key} />
        <label htmlFor={fields.consentShowName.id}>{t('sign.consentShowName')}</label>
      </div>
      <div className="hp-field">
        <label htmlFor="sign-website">{t('sign.honeypot')}</label>
        <input id="sign-website" name="website" type="text" tabIndex={-1} autoComplete="off" defaultValue="" />
      </div>
      {tracking.source ? <input type="hidden" name="source" value={tracking.source} /> : null}
      {tracking.utmSource ? <input type="hidden" name="utmSource" value={tracking.utmSource} /> : null}
      {tracking.utmMedium ? <input type="hidden" name="utmMedium" value={tracking.utmMedium} /> : null}
      {tracking.utmCampaign ? <input type="hidden" name="utmCampaign" value={tracking.utmCampaign} /> : null}
      <p className="privacy-note">
        {t('sign.privacy', { organisation: campaign.organisationName })} <Link to="/privacy">{t('sign.privacyLink')}</Link>
      </p>
      <button type="submit" className="button wide" disabled={navigation.state === 'submitting'}>
        {t('sign.submit')}
      </button>
    </Form>
  )
}

export default function CampaignPage() {
  const { campaign, topCountries, recentSigners, canonicalUrl } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  return (
    <div className="wrap">
      <article className="campaign-layout">
        <div>
          <h1 lang={campaign.contentLocale}>{campaign.title}</h1>
          <p className="lede" lang={campaign.contentLocale}>
            {campaign.summary}
          </p>
          <section className="demand" aria-labelledby="demand-heading">
            <h2 id="demand-heading">{t('campaign.demandHeading')}</h2>
            <p>
              <strong lang={campaign.contentLocale}>{campaign.targetName}</strong>
              {campaign.targetRole ? <span lang={campaign.contentLocale}>, {campaign.targetRole}</span> : null}
            </p>
            <p lang={campaign.contentLocale}>{campaign.demand}</p>
          </section>
          <section aria-labelledby="story-heading">
            <h2 id="story-heading" className="visually-hidden">
              {t('campaign.storyHeading')}
            </h2>
            <div className="story" lang={campaign.contentLocale} dangerouslySetInnerHTML={{ __html: campaign.storyHtml }} />
          </section>
          <ShareLinks url={canonicalUrl} title={campaign.title} headingId="share-heading" />
        </div>
        <aside className="panel sign-panel" aria-label={t('campaign.signPanel')}>
          <ProgressToGoal id="campaign-progress" count={campaign.signatureCount} goal={campaign.signatureGoal} />
          {campaign.signable ? (
            <SignForm />
          ) : campaign.phase === 'not-open' && campaign.opensAt ? (
            <div className="closed-banner">
              <h2>{t('campaign.notOpenHeading')}</h2>
              <p>{t('campaign.notOpen', { date: formatDate(locale, campaign.opensAt) })}</p>
            </div>
          ) : (
            <div className="closed-banner">
              <h2>{t('campaign.closedHeading')}</h2>
              <p>{t('campaign.closed')}</p>
              <p>{t('campaign.finalCount', { count: campaign.signatureCount })}</p>
            </div>
          )}
          {topCountries.length > 0 ? (
            <section aria-labelledby="countries-heading">
              <h2 id="countries-heading">{t('campaign.countriesHeading')}</h2>
              <table className="data">
                <caption className="visually-hidden">{t('campaign.countriesHeading')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('campaign.country')}</th>
                    <th scope="col">{t('campaign.signatures')}</th>
                  </tr>
                </thead>
                <tbody>
                  {topCountries.map((c) => (
                    <tr key={c.code}>
                      <td>{c.name}</td>
                      <td>{formatNumber(locale, c.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
          {recentSigners.length > 0 ? (
            <section aria-labelledby="recent-heading">
              <h2 id="recent-heading">{t('campaign.recentHeading')}</h2>
              <ul className="recent-signers">
                {recentSigners.map((s, i) => (
                  <li key={i}>{t('campaign.recentSigner', { name: s.firstName, country: s.country })}</li>
                ))}
              </ul>
            </section>
          ) : null}
        </aside>
      </article>
    </div>
  )
}
