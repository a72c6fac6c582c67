import { getFormProps, getInputProps } from '@conform-to/react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { ErrorSummary } from '~/components/error-summary'
import { FormField } from '~/components/form-field'
import { fieldErrorsOf, IntentForm, useIntentForm } from '~/components/intent-form'
import { DoneMessage } from '~/components/done-message'
import { checkUploadedImage, MAX_IMAGE_BYTES } from '~/models/campaign-image.server'
import { getOrganisationIdentity, organisationLogoPath, resendSenderVerification, updateOrganisationIdentity } from '~/models/organisation.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { BRAND_MIN_CONTRAST, contrastRatio, normaliseHexColour } from '~/utils/colour'
import { OrganisationIdentitySchema } from '~/models/organisation-schema'
import { getRetentionPolicy, updateRetentionPolicy } from '~/models/retention-policy.server'
import { RETENTION_BOUNDS, RetentionSettingsSchema } from '~/models/retention-schema'
import { emailFrom } from '~/utils/email-sender.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'
import { parseSubmission } from '~/utils/form.server'

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'organisation.manage')
  const t = makeTranslator(await getLocale(request))
  const organisation = (await getOrganisationIdentity(admin.organisation.id))!
  const retention = await getRetentionPolicy(admin.organisation.id)
  return data({
    pageTitle: t('reach.org.title'),
    done: readDone(request, ['saved', 'verification-sent', 'resent', 'too-soon', 'retention-saved']),
    retention,
    organisation: {
      name: organisation.name,
      logo: organisation.logo
        ? { url: organisationLogoPath(organisation, organisation.logo.sha256), width: organisation.logo.width, height: organisation.logo.height }
        : null,
      brandColour: organisation.brand_colour ?? '',
      websiteUrl: organisation.website_url ?? '',
      contactEmail: organisation.contact_email ?? '',
      senderName: organisation.sender_name ?? '',
      senderEmail: organisation.sender_email ?? '',
      senderVerified: organisation.sender_email_verified,
      from: emailFrom(organisation),
    },
  })
}

export async function action({ request }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'organisation.manage', { maxBytes: MAX_IMAGE_BYTES + 256 * 1024 })
  const locale = await getLocale(request)
  if (form.get('intent') === 'resend-verification') {
    const sent = await resendSenderVerification(admin.organisation.id, locale)
    return redirect(`/admin/organisation?done=${sent ? 'resent' : 'too-soon'}`)
  }
  if (form.get('intent') === 'retention') {
    const submission = parseSubmission(form, RetentionSettingsSchema)
    if (submission.status !== 'success') {
      return data({ form: 'retention' as const, result: submission.reply() }, { status: 400 })
    }
    const { signerMonths, unconfirmedDays, financialYears } = submission.value
    await updateRetentionPolicy(admin, { signerMonths, unconfirmedDays, financialYears })
    return redirect('/admin/organisation?done=retention-saved')
  }
  const submission = parseSubmission(form, OrganisationIdentitySchema)
  if (submission.status !== 'success') {
    return data({ form: 'identity' as const, result: submission.reply() }, { status: 400 })
  }
  const value = submission.value
  let logo = undefined as Parameters<typeof updateOrganisationIdentity>[1]['logo']
  if (value.logo instanceof File && value.logo.size > 0) {
    const checked = await checkUploadedImage(value.logo)
    if ('problem' in checked) {
      return data({ form: 'identity' as const, result: submission.reply({ fieldErrors: { logo: [checked.problem] } }) }, { status: 400 })
    }
    logo = checked.image
  } else if (value.removeLogo) {
    logo = null
  }
  const outcome = await updateOrganisationIdentity(
    admin,
    {
      name: value.name,
      brandColour: value.brandColour,
      websiteUrl: value.websiteUrl,
      contactEmail: value.contactEmail,
      senderName: value.senderName,
      senderEmail: value.senderEmail?.toLowerCase() ?? null,
      logo,
    },
    locale,
  )
  return redirect(`/admin/organisation?done=${outcome.verificationSent ? 'verification-sent' : 'saved'}`)
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function OrganisationIdentityPage() {
  const { organisation, done, retention } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const { form, fields, tr, formErrors, busy } = useIntentForm(OrganisationIdentitySchema, {
    id: 'organisation-identity',
    lastResult: actionData?.form === 'identity' ? actionData.result : undefined,
    messageVars: { ratio: BRAND_MIN_CONTRAST },
    defaultValue: {
      name: organisation.name,
      brandColour: organisation.brandColour,
      websiteUrl: organisation.websiteUrl,
      contactEmail: organisation.contactEmail,
      senderName: organisation.senderName,
      senderEmail: organisation.senderEmail,
    },
  })
  const colourValue = normaliseHexColour(String(fields.brandColour.value ?? ''))
  const ratio = colourValue ? contrastRatio(colourValue, '#ffffff') : null
  const fieldErrors = fieldErrorsOf(Object.values(fields), tr)
  return (
    <div className="wrap">
      <h1>{t('reach.org.title')}</h1>
      <p>{t('reach.org.intro')}</p>
      <DoneMessage tone="notice">{done ? t(`reach.org.done.${done}`, { address: organisation.senderEmail }) : null}</DoneMessage>
      <IntentForm intent="save" encType="multipart/form-data" {...getFormProps(form)} className="panel" noValidate>
        <ErrorSummary heading={t('admin.error.summary')} fieldErrors={fieldErrors} formErrors={formErrors} />
        <FormField id={fields.name.id} label={t('reach.org.name')} error={tr(fields.name.errors?.[0])}>
          <input {...getInputProps(fields.name, { type: 'text' })} key={fields.name.key} maxLength={200} autoComplete="organization" />
        </FormField>
        <fieldset className="fieldset">
          <legend>{t('reach.org.logo')}</legend>
          {organisation.logo ? (
            <>
              <img
                className="org-logo-preview"
                src={organisation.logo.url}
                alt={t('reach.org.logoCurrent', { organisation: organisation.name })}
                width={organisation.logo.width ?? undefined}
                height={organisation.logo.height ?? undefined}
              />
              <div className="checkbox">
                <input type="checkbox" id="remove-logo" name={fields.removeLogo.name} value="on" />
                <label htmlFor="remove-logo">{t('reach.org.removeLogo')}</label>
              </div>
            </>
          ) : (
            <p>{t('reach.org.noLogo')}</p>
          )}
          <FormField id={fields.logo.id} label={t('reach.org.logoFile')} hint={t('reach.org.logoHint')} error={tr(fields.logo.errors?.[0])}>
            <input type="file" name={fields.logo.name} accept="image/jpeg,image/png,image/webp" />
          </FormField>
        </fieldset>
        <FormField
          id={fields.brandColour.id}
          label={t('reach.org.colour')}
          hint={t('reach.org.colourHint', { ratio: BRAND_MIN_CONTRAST })}
          error={tr(fields.brandColour.errors?.[0])}
        >
          <input
            {...getInputProps(fields.brandColour, { type: 'text' })}
            key={fields.brandColour.key}
            maxLength={7}
            placeholder="#1d4ed8"
            autoComplete="off"
            spellCheck={false}
          />
        </FormField>
        {ratio !== null ? (
          <p className={ratio >= BRAND_MIN_CONTRAST ? 'hint' : 'field-error'} aria-live="polite">
            {t('reach.org.contrastNow', { ratio: ratio.toFixed(1), min: BRAND_MIN_CONTRAST })}
          </p>
        ) : null}
        <FormField id={fields.websiteUrl.id} label={t('reach.org.website')} hint={t('reach.org.websiteHint')} error={tr(fields.websiteUrl.errors?.[0])}>
          <input {...getInputProps(fields.websiteUrl, { type: 'url' })} key={fields.websiteUrl.key} maxLength={500} autoComplete="url" />
        </FormField>
        <FormField
          id={fields.contactEmail.id}
          label={t('reach.org.contactEmail')}
          hint={t('reach.org.contactEmailHint')}
          error={tr(fields.contactEmail.errors?.[0])}
        >
          <input {...getInputProps(fields.contactEmail, { type: 'email' })} key={fields.contactEmail.key} maxLength={254} autoComplete="email" />
        </FormField>
        <FormField id={fields.senderName.id} label={t('reach.org.senderName')} hint={t('reach.org.senderNameHint')} error={tr(fields.senderName.errors?.[0])}>
          <input {...getInputProps(fields.senderName, { type: 'text' })} key={fields.senderName.key} maxLength={100} autoComplete="off" />
        </FormField>
        <FormField
          id={fields.senderEmail.id}
          label={t('reach.org.senderEmail')}
          hint={t('reach.org.senderEmailHint')}
          error={tr(fields.senderEmail.errors?.[0])}
        >
          <input {...getInputProps(fields.senderEmail, { type: 'email' })} key={fields.senderEmail.key} maxLength={254} autoComplete="off" />
        </FormField>
        <button type="submit" className="button" disabled={busy}>
          {t('reach.org.save')}
        </button>
      </IntentForm>
      <RetentionForm retention={retention} />
      <section className="panel" aria-labelledby="sender-heading">
        <h2 id="sender-heading">{t('reach.org.fromHeading')}</h2>
        <p>
          {t('reach.org.fromNow')} <code>{organisation.from}</code>
        </p>
        {organisation.senderEmail && !organisation.senderVerified ? (
          <>
            <p>{t('reach.org.senderPending', { address: organisation.senderEmail })}</p>
            <IntentForm intent="resend-verification">
              <button type="submit" className="button secondary">
                {t('reach.org.resend')}
              </button>
            </IntentForm>
          </>
        ) : organisation.senderEmail ? (
          <p>{t('reach.org.senderVerified', { address: organisation.senderEmail })}</p>
        ) : null}
      </section>
    </div>
  )
}

/** The "Data retention" fieldset: its own form, so saving it never touches the identity above. */
function RetentionForm({ retention }: { retention: { signerMonths: number; unconfirmedDays: number; financialYears: number } }) {
  const actionData = useActionData<typeof action>()
  const t = useT()
  const { form, fields, tr, formErrors, busy } = useIntentForm(RetentionSettingsSchema, {
    id: 'retention',
    lastResult: actionData?.form === 'retention' ? actionData.result : undefined,
    defaultValue: {
      signerMonths: String(retention.signerMonths),
      unconfirmedDays: String(retention.unconfirmedDays),
      financialYears: String(retention.financialYears),
    },
  })
  const periods = [
    {
      field: fields.signerMonths,
      label: t('admin.retention.signerMonths'),
      hint: t('admin.retention.signerMonthsHint'),
      bounds: RETENTION_BOUNDS.signerMonths,
    },
    {
      field: fields.unconfirmedDays,
      label: t('admin.retention.unconfirmedDays'),
      hint: t('admin.retention.unconfirmedDaysHint'),
      bounds: RETENTION_BOUNDS.unconfirmedDays,
    },
    {
      field: fields.financialYears,
      label: t('admin.retention.financialYears'),
      hint: t('admin.retention.financialYearsHint'),
      bounds: RETENTION_BOUNDS.financialYears,
    },
  ]
  const fieldErrors = fieldErrorsOf(
    periods.map((p) => p.field),
    tr,
  )
  return (
    <IntentForm intent="retention" {...getFormProps(form)} className="panel" noValidate>
      <ErrorSummary heading={t('admin.error.summary')} headingLevel={2} fieldErrors={fieldErrors} formErrors={formErrors} />
      <fieldset className="fieldset">
        <legend>{t('admin.retention.legend')}</legend>
        <p className="hint">{t('admin.retention.intro')}</p>
        {periods.map(({ field, label, hint, bounds }) => (
          <FormField key={field.name} id={field.id} label={label} hint={hint} error={tr(field.errors?.[0])}>
            <input
              {...getInputProps(field, { type: 'text' })}
              key={field.key}
              inputMode="numeric"
              pattern="[0-9]*"
              maxLength={String(bounds.max).length}
              autoComplete="off"
            />
          </FormField>
        ))}
      </fieldset>
      <button type="submit" className="button" disabled={busy}>
        {t('admin.retention.save')}
      </button>
    </IntentForm>
  )
}
