import { getFormProps, getInputProps, useForm } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { FormField } from '~/components/form-field'
import { requirePublicCampaign } from '~/http/campaign.server'
import { donateSchema, OTHER_AMOUNT } from '~/models/donation-schema'
import { CheckoutUnavailableError, getResumableDonation, startDonationCheckout } from '~/models/donation-checkout.server'
import { donationRules, getCampaignDonationSettings } from '~/models/donation.server'
import { getDonorPrefill } from '~/models/donor-prefill.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { getEnv } from '~/utils/env.server'
import { formErrorResult, parseSubmission, readForm } from '~/utils/form.server'
import { requestContext } from '~/utils/request.server'
import { rateLimitKey } from '~/utils/security.server'
import { NO_STORE } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { donorSignatureId } from '~/utils/cookies.server'
import { getLocale } from '~/utils/locale.server'
import { formatMoney, minorToInput } from '~/utils/money'
import { isStripeConfigured } from '~/utils/stripe.server'
import { useLocale, useMessage, useT } from '~/utils/use-t'
import { ErrorSummary } from '~/components/error-summary'

// The schema is built per campaign (its currency, presets and the configured bounds): see donateSchema.

const PRIVATE = { 'Cache-Control': NO_STORE }

async function loadDonationContext(request: Request, slug: string | undefined) {
  const locale = await getLocale(request)
  const campaign = await requirePublicCampaign(slug, locale, request)
  // Without Stripe there is no donate page at all: a plain 404, no wording for developers.
  if (!isStripeConfigured()) throw new Response('Not found', { status: 404 })
  const settings = await getCampaignDonationSettings(campaign.id)
  if (!settings) throw new Response('Not found', { status: 404 })
  return { locale, campaign, rules: donationRules(settings) }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { locale, campaign, rules } = await loadDonationContext(request, params.slug)
  const t = makeTranslator(locale)
  const configured = isStripeConfigured()
  const url = new URL(request.url)
  const [resumed, donor] = configured
    ? await Promise.all([
        getResumableDonation(url.searchParams.get('resume'), campaign.id),
        getDonorPrefill(await donorSignatureId(request.headers.get('Cookie')), campaign.id),
      ])
    : [null, null]
  const presets = rules.presets.map((minor) => ({ value: String(minor), label: formatMoney(locale, minor, rules.currency) }))
  const resumedAmount =
    resumed && resumed.currency === rules.currency
      ? rules.presets.includes(resumed.amount_minor)
        ? { amount: String(resumed.amount_minor), otherAmount: '' }
        : { amount: OTHER_AMOUNT, otherAmount: minorToInput(resumed.amount_minor, rules.currency) }
      : null
  const requestedFrequency = url.searchParams.get('frequency') === 'monthly' ? 'monthly' : 'one_off'
  return data(
    {
      configured,
      pageTitle: t('donate.title'),
      campaign: {
        slug: campaign.slug,
        title: campaign.content.title,
        contentLocale: campaign.contentLocale,
        organisationName: campaign.organisation.name,
      },
      rules,
      presets,
      defaults: {
        frequency: resumed?.frequency ?? requestedFrequency,
        amount: resumedAmount?.amount ?? presets[Math.min(1, presets.length - 1)]?.value ?? OTHER_AMOUNT,
        otherAmount: resumedAmount?.otherAmount ?? '',
        name: resumed?.donor_name ?? donor?.name ?? '',
        email: resumed?.donor_email ?? donor?.email ?? '',
      },
    },
    { headers: PRIVATE },
  )
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { locale, campaign, rules } = await loadDonationContext(request, params.slug)
  // Each post may open a Checkout Session: limit them per client, like signatures, before the
  // body is read.
  const env = getEnv()
  const limit = await hitRateLimit(`donate:${rateLimitKey(requestContext(request, context).ip)}`, {
    limit: env.SIGN_RATE_LIMIT,
    windowSeconds: env.SIGN_RATE_WINDOW_SECONDS,
  })
  if (!limit.allowed) {
    return data(
      { result: formErrorResult('donate.error.rateLimited') },
      { status: 429, headers: { ...PRIVATE, 'Retry-After': String(limit.retryAfterSeconds) } },
    )
  }
  const formData = await readForm(request)
  const submission = parseSubmission(formData, donateSchema(rules))
  if (!isStripeConfigured()) {
    return data({ result: submission.reply({ formErrors: ['donate.error.notConfigured'] }) }, { status: 503, headers: PRIVATE })
  }
  if (submission.status !== 'success') {
    return data({ result: submission.reply() }, { status: 400, headers: PRIVATE })
  }
  try {
    const { url } = await startDonationCheckout(
      { id: campaign.id, slug: campaign.slug, title: campaign.content.title },
      submission.value,
      rules.currency,
      locale,
    )
    return redirect(url, { status: 303, headers: PRIVATE })
  } catch (error) {
    if (!(error instanceof CheckoutUnavailableError)) throw error
    return data({ result: submission.reply({ formErrors: ['donate.error.unavailable'] }) }, { status: 502, headers: PRIVATE })
  }
}

export const headers = ({ loaderHeaders, actionHeaders }: { loaderHeaders: Headers; actionHeaders: Headers }) =>
  actionHeaders.get('Cache-Control') ? actionHeaders : loaderHeaders

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.pageTitle ?? ''}${data ? ` · ${data.campaign.title}` : ''} · Chorus` },
  { name: 'robots', content: 'noindex' },
]

function DonateForm() {
  const { rules, presets, defaults } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const locale = useLocale()
  const [form, fields] = useForm({
    id: 'donate',
    defaultValue: defaults,
    lastResult: actionData?.result,
    shouldValidate: 'onSubmit',
    shouldRevalidate: 'onBlur',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: donateSchema(rules) }),
  })
  const money = (minor: number) => formatMoney(locale, minor, rules.currency)
  const vars = {
    min: money(rules.minMinor),
    max: money(rules.maxMinor),
    example: minorToInput(rules.presets[0] ?? rules.minMinor * 10, rules.currency),
    currency: rules.currency,
  }
  const tr = useMessage(vars)
  const fieldError = (field: { errors?: string[] }) => tr(field.errors?.[0])
  const fieldErrors = [fields.frequency, fields.amount, fields.otherAmount, fields.name, fields.email]
    .filter((f) => f.errors?.length)
    .map((f) => ({
      id: f.name === 'frequency' ? `${f.id}-one_off` : f.name === 'amount' ? `${f.id}-${presets[0]?.value ?? OTHER_AMOUNT}` : f.id,
      message: tr(f.errors![0])!,
    }))
  const formErrors = (form.errors ?? []).map((e) => tr(e)!)
  const frequencyError = fieldError(fields.frequency)
  const amountError = fieldError(fields.amount)

  return (
    <Form method="post" {...getFormProps(form)} aria-labelledby="donate-heading" className="panel donate-form">
      <h2 id="donate-heading" className="visually-hidden">
        {t('donate.title')}
      </h2>
      <ErrorSummary heading={t('donate.errorSummary')} headingLevel={3} formErrors={formErrors} fieldErrors={fieldErrors} />
      <fieldset className="choice-group" aria-describedby={frequencyError ? `${fields.frequency.id}-error` : undefined}>
        <legend>{t('donate.frequency')}</legend>
        {frequencyError ? (
          <p className="field-error" id={`${fields.frequency.id}-error`}>
            {frequencyError}
          </p>
        ) : null}
        <div className="choices">
          {(['one_off', 'monthly'] as const).map((value) => (
            <div className="choice" key={value}>
              <input
                {...getInputProps(fields.frequency, { type: 'radio', value })}
                id={`${fields.frequency.id}-${value}`}
                key={`${fields.frequency.key}-${value}`}
              />
              <label htmlFor={`${fields.frequency.id}-${value}`}>{t(value === 'monthly' ? 'donate.monthly' : 'donate.oneOff')}</label>
            </div>
          ))}
        </div>
      </fieldset>
      <fieldset className="choice-group" aria-describedby={amountError ? `${fields.amount.id}-error` : undefined}>
        <legend>{t('donate.amount')}</legend>
        {amountError ? (
          <p className="field-error" id={`${fields.amount.id}-error`}>
            {amountError}
          </p>
        ) : null}
        <div className="choices">
          {[...presets, { value: OTHER_AMOUNT, label: t('donate.other') }].map((preset) => (
            <div className="choice" key={preset.value}>
              <input
                {...getInputProps(fields.amount, { type: 'radio', value: preset.value })}
                id={`${fields.amount.id}-${preset.value}`}
                key={`${fields.amount.key}-${preset.value}`}
              />
              <label htmlFor={`${fields.amount.id}-${preset.value}`}>{preset.label}</label>
            </div>
          ))}
        </div>
        <FormField
          id={fields.otherAmount.id}
          label={t('donate.otherAmount', { currency: rules.currency })}
          hint={t('donate.otherHint', { min: vars.min, max: vars.max })}
          error={fieldError(fields.otherAmount)}
        >
          <input {...getInputProps(fields.otherAmount, { type: 'text' })} inputMode="decimal" autoComplete="off" key={fields.otherAmount.key} />
        </FormField>
      </fieldset>
      <FormField id={fields.name.id} label={t('donate.name')} error={fieldError(fields.name)}>
        <input {...getInputProps(fields.name, { type: 'text' })} autoComplete="name" key={fields.name.key} />
      </FormField>
      <FormField id={fields.email.id} label={t('donate.email')} hint={t('donate.emailHint')} error={fieldError(fields.email)}>
        <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="email" spellCheck={false} key={fields.email.key} />
      </FormField>
      <p className="privacy-note">{t('donate.monthlyNote')}</p>
      <p className="privacy-note">{t('donate.secureNote')}</p>
      <button type="submit" className="button wide" disabled={navigation.state === 'submitting'}>
        {t('donate.submit')}
      </button>
    </Form>
  )
}

export default function DonatePage() {
  const { configured, campaign } = useLoaderData<typeof loader>()
  const t = useT()
  return (
    <div className="wrap narrow">
      <h1>{t('donate.title')}</h1>
      {configured ? (
        <>
          <p className="lede">{t('donate.lede', { organisation: campaign.organisationName, title: campaign.title })}</p>
          <DonateForm />
        </>
      ) : (
        <div className="notice">
          <h2>{t('donate.notConfiguredTitle')}</h2>
          <p>{t('donate.notConfigured')}</p>
        </div>
      )}
      <p>
        <Link to={`/campaigns/${campaign.slug}`}>{t('donate.back')}</Link>
      </p>
    </div>
  )
}
