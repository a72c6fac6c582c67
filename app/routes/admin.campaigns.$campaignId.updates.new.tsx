import { parseWithZod } from '@conform-to/zod'
import { getFormProps, getInputProps, getTextareaProps, useForm } from '@conform-to/react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { ErrorSummary } from '~/components/error-summary'
import { CheckField, FormField } from '~/components/form-field'
import { IntentForm } from '~/components/intent-form'
import { requireAdminCampaign } from '~/http/campaign.server'
import { UPDATE_FORM_MAX_BYTES, UpdateDraftSchema, updateErrorText } from '~/models/campaign-update-schema'
import { createUpdateDraft } from '~/models/campaign-update-workspace.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { LOCALE_NAMES } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'
import { parseSubmission } from '~/utils/form.server'

// A new update, written in the campaign's main language; translations, preview, test and
// sending are on the update's own page.

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'campaigns.edit')
  const campaign = await requireAdminCampaign(admin, params.campaignId)
  const t = makeTranslator(await getLocale(request))
  const title = campaign.content[campaign.baseLocale]?.title || t('admin.campaigns.untitled')
  return data({ campaign: { id: campaign.id, title, baseLocale: campaign.baseLocale }, pageTitle: `${t('admin.updates.newTitle')}: ${title}` })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'campaigns.edit', { maxBytes: UPDATE_FORM_MAX_BYTES })
  const campaign = await requireAdminCampaign(admin, params.campaignId)
  const submission = parseSubmission(form, UpdateDraftSchema)
  if (submission.status !== 'success') {
    return data({ result: submission.reply() }, { status: 400 })
  }
  const { id } = await createUpdateDraft(admin, campaign.id, campaign.baseLocale, submission.value)
  return redirect(`/admin/campaigns/${campaign.id}/updates/${id}?locale=${campaign.baseLocale}&done=created`)
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function NewCampaignUpdate() {
  const { campaign } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const [form, fields] = useForm({
    id: 'new-update',
    lastResult: actionData?.result,
    defaultValue: { public: 'on' },
    shouldValidate: 'onSubmit',
    onValidate: ({ formData }) => parseWithZod(formData, { schema: UpdateDraftSchema }),
  })
  const error = (field: { errors?: string[] }) => updateErrorText(t, field.errors?.[0])
  const invalid = [fields.subject, fields.body].filter((f) => f.errors?.length)
  return (
    <div className="wrap">
      <h1>{t('admin.updates.newTitle')}</h1>
      <AdminCampaignNav campaignId={campaign.id} current="updates" />
      <p>{t('admin.updates.newIntro', { language: LOCALE_NAMES[campaign.baseLocale as keyof typeof LOCALE_NAMES] ?? campaign.baseLocale })}</p>
      <IntentForm {...getFormProps(form)} className="editor">
        <ErrorSummary heading={t('admin.updates.error.summary')} fieldErrors={invalid.map((f) => ({ id: f.id, message: error(f)! }))} />
        <FormField id={fields.subject.id} label={t('admin.updates.field.subject')} error={error(fields.subject)}>
          <input {...getInputProps(fields.subject, { type: 'text' })} key={fields.subject.key} lang={campaign.baseLocale} />
        </FormField>
        <FormField id={fields.body.id} label={t('admin.updates.field.body')} hint={t('admin.updates.field.bodyHint')} error={error(fields.body)}>
          <textarea {...getTextareaProps(fields.body)} key={fields.body.key} rows={14} lang={campaign.baseLocale} />
        </FormField>
        <CheckField field={fields.public} label={t('admin.updates.field.public')} />
        <button type="submit" className="button">
          {t('admin.updates.create')}
        </button>
      </IntentForm>
    </div>
  )
}
