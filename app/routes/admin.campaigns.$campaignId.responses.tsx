import { getFormProps, getInputProps, getTextareaProps } from '@conform-to/react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { ErrorSummary } from '~/components/error-summary'
import { FormField } from '~/components/form-field'
import { DoneMessage } from '~/components/done-message'
import { fieldErrorsOf, IntentForm, RowAction, useIntentForm } from '~/components/intent-form'
import {
  deleteCampaignResponse,
  draftResponseUpdate,
  getCampaignResponse,
  getCampaignTarget,
  listCampaignResponses,
  recordCampaignResponse,
  updateCampaignResponse,
} from '~/models/campaign-response.server'
import { ResponseActionSchema } from '~/models/campaign-response-schema'
import { requireOrganisationCampaign } from '~/http/campaign.server'
import { adminError, requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { can } from '~/utils/permissions'
import { formatDate } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'
import { parseSubmission } from '~/utils/form.server'

const DONE = ['created', 'updated', 'deleted'] as const

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'campaigns.view')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const t = makeTranslator(await getLocale(request))
  const canEdit = can(admin.role, 'campaigns.edit')
  const url = new URL(request.url)
  const editId = url.searchParams.get('edit')
  const editing = canEdit && editId ? await getCampaignResponse(campaign.id, editId) : null
  if (canEdit && editId && !editing) throw adminError(404, 'admin.error.notFound')
  const [target, responses] = await Promise.all([getCampaignTarget(campaign.id), listCampaignResponses(campaign.id)])
  return data({
    pageTitle: `${t('admin.responses.title')} · ${campaign.title}`,
    campaign: { id: campaign.id, title: campaign.title, target },
    canEdit,
    done: readDone(request, DONE),
    responses: responses.map((r) => ({ id: r.id, respondedOn: r.respondedOn, body: r.body, sourceUrl: r.sourceUrl, updateId: r.updateId })),
    editing: editing ? { id: editing.id, respondedOn: editing.respondedOn, body: editing.body, sourceUrl: editing.sourceUrl ?? '' } : null,
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'campaigns.edit')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const submission = parseSubmission(form, ResponseActionSchema)
  if (submission.status !== 'success') {
    return data({ intent: String(form.get('intent') ?? ''), result: submission.reply() }, { status: 400 })
  }
  const input = submission.value
  const base = `/admin/campaigns/${campaign.id}/responses`
  const gone = () => data({ intent: input.intent, result: submission.reply({ formErrors: ['admin.responses.error.gone'] }) }, { status: 404 })

  switch (input.intent) {
    case 'create': {
      await recordCampaignResponse(admin, campaign.id, { respondedOn: input.respondedOn, body: input.body, sourceUrl: input.sourceUrl ?? null })
      return redirect(`${base}?done=created`)
    }
    case 'edit': {
      const fields = { respondedOn: input.respondedOn, body: input.body, sourceUrl: input.sourceUrl ?? null }
      if (!(await updateCampaignResponse(admin, campaign.id, input.responseId, fields))) return gone()
      return redirect(`${base}?done=updated`)
    }
    case 'delete': {
      if (!(await deleteCampaignResponse(admin, campaign.id, input.responseId))) return gone()
      return redirect(`${base}?done=deleted`)
    }
    case 'write-update': {
      const drafted = await draftResponseUpdate(admin, campaign.id, input.responseId)
      if (!drafted) return gone()
      return redirect(`/admin/campaigns/${campaign.id}/updates/${drafted.updateId}`)
    }
  }
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

type Editing = { id: string; respondedOn: string; body: string; sourceUrl: string } | null

function ResponseForm({ editing }: { editing: Editing }) {
  const actionData = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const intent = editing ? 'edit' : 'create'
  const { form, fields, tr, formErrors, busy } = useIntentForm(ResponseActionSchema, {
    id: editing ? `response-${editing.id}` : 'response',
    lastResult: actionData?.intent === intent ? actionData.result : undefined,
    defaultValue: editing ? { respondedOn: editing.respondedOn, body: editing.body, sourceUrl: editing.sourceUrl } : undefined,
  })
  const fieldErrors = fieldErrorsOf([fields.respondedOn, fields.body, fields.sourceUrl], tr)
  const headingId = editing ? 'edit-response-heading' : 'add-response-heading'
  return (
    <IntentForm intent={intent} {...getFormProps(form)} className="panel stack" aria-labelledby={headingId}>
      <h2 id={headingId}>{editing ? t('admin.responses.editHeading', { date: formatDate(locale, editing.respondedOn) }) : t('admin.responses.addHeading')}</h2>
      <ErrorSummary heading={t('admin.error.summary')} headingLevel={3} formErrors={formErrors} fieldErrors={fieldErrors} />
      {editing ? <input type="hidden" name="responseId" value={editing.id} /> : null}
      <FormField id={fields.respondedOn.id} label={t('admin.responses.field.date')} error={tr(fields.respondedOn.errors?.[0])}>
        <input {...getInputProps(fields.respondedOn, { type: 'date' })} key={fields.respondedOn.key} />
      </FormField>
      <FormField id={fields.body.id} label={t('admin.responses.field.body')} hint={t('admin.responses.bodyHint')} error={tr(fields.body.errors?.[0])}>
        <textarea {...getTextareaProps(fields.body)} key={fields.body.key} rows={8} />
      </FormField>
      <FormField
        id={fields.sourceUrl.id}
        label={
          <>
            {t('admin.responses.field.sourceUrl')} <span className="hint">{t('admin.responses.optional')}</span>
          </>
        }
        hint={t('admin.responses.sourceUrlHint')}
        error={tr(fields.sourceUrl.errors?.[0])}
      >
        <input {...getInputProps(fields.sourceUrl, { type: 'url' })} key={fields.sourceUrl.key} spellCheck={false} autoCapitalize="none" />
      </FormField>
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {editing ? t('admin.responses.saveEdit') : t('admin.responses.create')}
        </button>
        {editing ? <Link to=".">{t('admin.responses.cancel')}</Link> : null}
      </div>
    </IntentForm>
  )
}

export default function Responses() {
  const { campaign, canEdit, done, responses, editing } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const rowErrors =
    actionData && (actionData.intent === 'delete' || actionData.intent === 'write-update')
      ? [...(actionData.result.error?.[''] ?? []), ...(actionData.result.error?.responseId ?? [])].map((m) => t.message(m))
      : []
  return (
    <div className="wrap stack">
      <p className="eyebrow">
        <Link to="/admin">{t('admin.nav.campaigns')}</Link>
      </p>
      <h1>{campaign.title}</h1>
      <AdminCampaignNav campaignId={campaign.id} current="responses" canEdit={canEdit} />
      <h2>{t('admin.responses.title')}</h2>
      <p className="hint">{t('admin.responses.intro', { target: campaign.target })}</p>
      <DoneMessage>{done ? t(`admin.responses.done.${done}`) : null}</DoneMessage>
      <ErrorSummary heading={t('admin.error.summary')} formErrors={rowErrors} />

      {canEdit ? <ResponseForm key={editing?.id ?? 'new'} editing={editing} /> : <p className="notice">{t('admin.responses.readOnly')}</p>}

      <section aria-labelledby="responses-heading">
        <h2 id="responses-heading">{t('admin.responses.listHeading')}</h2>
        {responses.length === 0 ? (
          <p>{t('admin.responses.none')}</p>
        ) : (
          <ol className="response-list stack">
            {responses.map((r) => {
              const date = formatDate(locale, r.respondedOn)
              return (
                <li key={r.id} className="panel">
                  <h3>
                    <time dateTime={r.respondedOn}>{date}</time>
                  </h3>
                  <blockquote className="response-body">{r.body}</blockquote>
                  {r.sourceUrl ? (
                    <p>
                      {t('admin.responses.source')}:{' '}
                      <a href={r.sourceUrl} rel="noopener noreferrer nofollow">
                        {r.sourceUrl}
                      </a>
                    </p>
                  ) : null}
                  {canEdit ? (
                    <div className="button-row">
                      <Link to={`?edit=${r.id}`} className="button small secondary" aria-label={t('admin.responses.editLabel', { date })}>
                        {t('admin.responses.edit')}
                      </Link>
                      {r.updateId ? (
                        <Link to={`/admin/campaigns/${campaign.id}/updates/${r.updateId}`} className="button small secondary">
                          {t('admin.responses.viewUpdate')}
                        </Link>
                      ) : (
                        <RowAction intent="write-update" fields={{ responseId: r.id }} label={t('admin.responses.writeUpdateLabel', { date })}>
                          {t('admin.responses.writeUpdate')}
                        </RowAction>
                      )}
                      <RowAction intent="delete" fields={{ responseId: r.id }} label={t('admin.responses.deleteLabel', { date })} danger>
                        {t('admin.responses.delete')}
                      </RowAction>
                    </div>
                  ) : null}
                </li>
              )
            })}
          </ol>
        )}
      </section>
    </div>
  )
}
