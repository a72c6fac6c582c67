import { parseWithZod } from '@conform-to/zod'
import { getFormProps, getInputProps, getSelectProps, useForm } from '@conform-to/react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { hasLineBreak } from '~/utils/text'
import { FormField } from '~/components/form-field'
import { createDraft } from '~/models/admin-campaign.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { LOCALE_NAMES, LOCALES } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'
import { ErrorSummary } from '~/components/error-summary'
import { IntentForm } from '~/components/intent-form'
import { parseSubmission } from '~/utils/form.server'

export const NewCampaignSchema = z.object({
  title: z
    .string({ required_error: 'admin.new.error.title' })
    .trim()
    .min(1, 'admin.new.error.title')
    .max(200, 'admin.new.error.titleTooLong')
    // The title is in the subject of every confirmation email: no line breaks.
    .refine((value) => !hasLineBreak(value), 'admin.new.error.titleLineBreak'),
  locale: z.enum(LOCALES, { errorMap: () => ({ message: 'admin.new.error.locale' }) }),
})

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request, 'campaigns.edit')
  const locale = await getLocale(request)
  return data({ locale, pageTitle: makeTranslator(locale)('admin.new.title') })
}

export async function action({ request }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'campaigns.edit')
  const submission = parseSubmission(form, NewCampaignSchema)
  if (submission.status !== 'success') {
    return data({ result: submission.reply() }, { status: 400 })
  }
  const draft = await createDraft(admin, submission.value)
  return redirect(`/admin/campaigns/${draft.id}/edit?locale=${submission.value.locale}`)
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function NewCampaign() {
  const { locale } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const [form, fields] = useForm({
    id: 'new-campaign',
    lastResult: actionData?.result,
    defaultValue: { locale },
    shouldValidate: 'onSubmit',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: NewCampaignSchema }),
  })
  const error = (field: { errors?: string[] }) => (field.errors?.[0] ? t.message(field.errors[0]) : undefined)
  const errors = [fields.title, fields.locale].filter((f) => f.errors?.length)
  return (
    <div className="wrap narrow">
      <h1>{t('admin.new.title')}</h1>
      <p>{t('admin.new.intro')}</p>
      <IntentForm {...getFormProps(form)}>
        <ErrorSummary heading={t('admin.edit.errorSummary')} fieldErrors={errors.map((f) => ({ id: f.id, message: error(f)! }))} />
        <FormField id={fields.title.id} label={t('admin.new.titleLabel')} error={error(fields.title)}>
          <input {...getInputProps(fields.title, { type: 'text' })} key={fields.title.key} maxLength={200} />
        </FormField>
        <FormField id={fields.locale.id} label={t('admin.new.locale')} hint={t('admin.new.localeHint')} error={error(fields.locale)}>
          <select {...getSelectProps(fields.locale)} key={fields.locale.key}>
            {LOCALES.map((code) => (
              <option key={code} value={code} lang={code}>
                {LOCALE_NAMES[code]}
              </option>
            ))}
          </select>
        </FormField>
        <button type="submit" className="button">
          {t('admin.new.submit')}
        </button>
      </IntentForm>
    </div>
  )
}
