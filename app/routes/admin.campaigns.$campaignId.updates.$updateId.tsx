import type { SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData, type ShouldRevalidateFunction } from '@remix-run/react'
import { z } from 'zod'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { UpdateDraftEditor } from '~/components/update-draft-editor'
import { UpdateProgressPanel } from '~/components/update-progress'
import { DoneMessage } from '~/components/done-message'
import { IntentForm } from '~/components/intent-form'
import { renderUpdateEmail, sendUpdateTest } from '~/models/campaign-update-send.server'
import { SavedUpdateDraftSchema, SavedUpdateTranslationSchema, SendUpdateSchema, UPDATE_FORM_MAX_BYTES, updateErrorText } from '~/models/campaign-update-schema'
import { countUpdateAudience } from '~/models/campaign-update-audience.server'
import { cancelUpdateSend, getUpdateProgress, requestUpdateSend, saveUpdateDraft } from '~/models/campaign-update-workspace.server'
import { notFound, requireAdminCampaign, requireCampaignUpdate } from '~/http/campaign.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { can } from '~/utils/permissions'
import { formatDate, isLocale, LOCALE_NAMES, LOCALES, type Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { renderMarkdown } from '~/utils/markdown.server'
import { useT } from '~/utils/use-t'
import { parseSubmission } from '~/utils/form.server'

// One update (decision 0010): a draft is edited per language (saves name the version they
// started from, as in the campaign editor), previewed, tested on oneself, then sent; from then
// on the page shows the fan-out's progress, refreshing itself every two seconds with JavaScript.

const DONE = ['created', 'saved', 'unchanged', 'test', 'sending', 'cancelled'] as const

function editLocaleOf(request: Request, baseLocale: string): Locale {
  const wanted = new URL(request.url).searchParams.get('locale')
  if (isLocale(wanted)) return wanted
  return isLocale(baseLocale) ? baseLocale : 'en'
}

const pageUrl = (campaignId: string, updateId: string, locale: string, done?: (typeof DONE)[number]) =>
  `/admin/campaigns/${campaignId}/updates/${updateId}?locale=${locale}${done ? `&done=${done}` : ''}`

const languageName = (locale: string) => LOCALE_NAMES[locale as Locale] ?? locale

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'campaigns.view')
  const campaign = await requireAdminCampaign(admin, params.campaignId)
  const update = await requireCampaignUpdate(campaign.id, params.updateId)
  const uiLocale = await getLocale(request)
  const t = makeTranslator(uiLocale)
  const editLocale = editLocaleOf(request, campaign.baseLocale)
  const content = update.content[editLocale]
  const [audience, progress, preview] = await Promise.all([
    update.status === 'draft' ? countUpdateAudience(campaign.id) : Promise.resolve(null),
    update.status === 'draft' ? Promise.resolve(null) : getUpdateProgress(update.id),
    renderUpdateEmail(update, editLocale, { unsubscribe: '#unsubscribe' }),
  ])
  const subject = update.content[campaign.baseLocale]?.subject || Object.values(update.content)[0]?.subject || t('admin.updates.untitled')
  return data({
    campaign: { id: campaign.id, baseLocale: campaign.baseLocale },
    update: {
      id: update.id,
      status: update.status,
      kind: update.kind,
      version: update.version,
      public: update.public,
      subject,
      sentAt: update.sentAt ? formatDate(uiLocale, update.sentAt) : null,
      locales: Object.keys(update.content),
    },
    canEdit: can(admin.role, 'campaigns.edit'),
    ownEmail: can(admin.role, 'campaigns.edit') ? admin.user.email : null,
    editLocale,
    defaultValue: { subject: content?.subject ?? '', body: content?.body ?? '', public: update.public ? 'on' : '' },
    audience,
    progress,
    // The email's body, shown inline as the development mailbox does (an iframe would hide it
    // from assistive checks); its heading becomes a level below the preview's own.
    previewHtml: preview ? (preview.html.match(/<body[^>]*>([\s\S]*)<\/body>/i)?.[1] ?? preview.html).replace(/<(\/?)h1\b/g, '<$1h3') : null,
    done: readDone(request, DONE),
    pageTitle: t('admin.updates.editTitle', { subject }),
  })
}

export const IntentSchema = z.object({ intent: z.enum(['save', 'preview', 'test', 'send', 'cancel']) })

/** Every answer of the action, for the page (one shape, so no outcome's fields are lost). */
type ActionData = {
  result?: SubmissionResult<string[]>
  bodyPreview?: string
  conflict?: string
  formError?: string
  testError?: string
  sendError?: string
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'campaigns.edit', { maxBytes: UPDATE_FORM_MAX_BYTES })
  const campaign = await requireAdminCampaign(admin, params.campaignId)
  const update = await requireCampaignUpdate(campaign.id, params.updateId)
  const editLocale = editLocaleOf(request, campaign.baseLocale)
  const t = makeTranslator(await getLocale(request))
  const intent = IntentSchema.safeParse({ intent: form.get('intent') })
  if (!intent.success) {
    return data<ActionData>({ formError: t('admin.updates.error.intent') }, { status: 400 })
  }
  if (intent.data.intent === 'cancel') {
    const outcome = await cancelUpdateSend(admin, campaign.id, update.id)
    if (outcome.status === 'not-sending') return data<ActionData>({ formError: t('admin.updates.error.notSending') }, { status: 409 })
    return redirect(pageUrl(campaign.id, update.id, editLocale, 'cancelled'))
  }
  if (update.status !== 'draft' && intent.data.intent !== 'test') {
    return data<ActionData>({ formError: t('admin.updates.error.notDraft') }, { status: 409 })
  }

  switch (intent.data.intent) {
    case 'preview':
    case 'save': {
      const isBase = editLocale === campaign.baseLocale
      const schema = isBase ? SavedUpdateDraftSchema : SavedUpdateTranslationSchema
      const submission = parseWithZod(form, { schema })
      if (intent.data.intent === 'preview') {
        const body = form.get('body')
        return data<ActionData>({ result: submission.reply(), bodyPreview: renderMarkdown(typeof body === 'string' ? body : '') })
      }
      if (submission.status !== 'success') return data<ActionData>({ result: submission.reply() }, { status: 400 })
      const { version, ...input } = submission.value
      const outcome = await saveUpdateDraft(admin, campaign.id, update.id, editLocale, input, version)
      if (outcome.status === 'not-found') throw notFound()
      if (outcome.status === 'conflict') {
        return data<ActionData>({ result: submission.reply(), conflict: t('admin.updates.conflict') }, { status: 409 })
      }
      if (outcome.status === 'not-draft') return data<ActionData>({ formError: t('admin.updates.error.notDraft') }, { status: 409 })
      return redirect(pageUrl(campaign.id, update.id, editLocale, outcome.status))
    }
    case 'test': {
      const outcome = await sendUpdateTest(admin, update, editLocale)
      if (outcome.status === 'no-translation') {
        return data<ActionData>({ testError: t('admin.updates.error.noTranslation', { language: languageName(editLocale) }) }, { status: 400 })
      }
      if (outcome.status === 'failed') return data<ActionData>({ testError: t('admin.updates.error.testFailed') }, { status: 502 })
      return redirect(pageUrl(campaign.id, update.id, editLocale, 'test'))
    }
    case 'send': {
      const submission = parseSubmission(form, SendUpdateSchema)
      if (submission.status !== 'success') {
        const first = Object.values(submission.error ?? {})[0]?.[0]
        return data<ActionData>({ sendError: updateErrorText(t, first ?? 'admin.updates.error.confirm') }, { status: 400 })
      }
      const outcome = await requestUpdateSend(admin, campaign.id, update.id, submission.value.version, campaign.baseLocale)
      switch (outcome.status) {
        case 'not-found':
          throw notFound()
        case 'started':
          return redirect(pageUrl(campaign.id, update.id, editLocale, 'sending'))
        case 'incomplete':
          return data<ActionData>({ sendError: t('admin.updates.error.incomplete', { language: languageName(campaign.baseLocale) }) }, { status: 400 })
        case 'conflict':
          return data<ActionData>({ conflict: t('admin.updates.conflict') }, { status: 409 })
        case 'not-draft':
          return data<ActionData>({ formError: t('admin.updates.error.notDraft') }, { status: 409 })
      }
    }
  }
}

// Remix skips reloading after a 4xx answer; a conflict must reload, so the form carries the
// version that is current now and the next save is a deliberate overwrite.
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) =>
  actionResult && typeof actionResult === 'object' && ('conflict' in actionResult || 'formError' in actionResult) ? true : defaultShouldRevalidate

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function CampaignUpdatePage() {
  const { campaign, update, canEdit, ownEmail, editLocale, defaultValue, audience, progress, previewHtml, done } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const isDraft = update.status === 'draft'
  const doneMessages: Record<(typeof DONE)[number], string> = {
    created: t('admin.updates.done.created'),
    saved: t('admin.updates.done.saved'),
    unchanged: t('admin.updates.done.unchanged'),
    test: t('admin.updates.done.test', { email: ownEmail ?? '' }),
    sending: t('admin.updates.done.sending'),
    cancelled: t('admin.updates.done.cancelled'),
  }
  return (
    <div className="wrap">
      <h1>{t('admin.updates.editTitle', { subject: update.subject })}</h1>
      <AdminCampaignNav campaignId={campaign.id} current="updates" />
      <p>
        <Link to={`/admin/campaigns/${campaign.id}/updates`}>{t('admin.updates.backToList')}</Link>
      </p>
      <p>
        <span className="status-badge">{t(`admin.updates.status.${update.status}`)}</span>{' '}
        <span className="status-badge">{t(`admin.updates.kind.${update.kind}`)}</span>{' '}
        {update.public ? t('admin.updates.publicYes') : t('admin.updates.publicNo')}
      </p>
      <DoneMessage>{done && !actionData ? doneMessages[done] : null}</DoneMessage>
      {actionData?.conflict || actionData?.formError ? (
        <div className="conflict-panel" role="alert">
          <p>{actionData.conflict ?? actionData.formError}</p>
        </div>
      ) : null}

      <UpdateProgressPanel update={update} progress={progress} editLocale={editLocale} canEdit={canEdit} />

      {isDraft ? (
        <>
          {audience !== null ? (
            <p>
              <strong>{t('admin.updates.audienceNow', { count: audience })}</strong>
            </p>
          ) : null}
          <nav aria-label={t('admin.updates.languages')} className="locale-tabs">
            <ul>
              {LOCALES.map((l) => (
                <li key={l}>
                  <Link to={`?locale=${l}`} aria-current={l === editLocale ? 'page' : undefined} lang={l}>
                    {l === campaign.baseLocale ? t('admin.updates.baseLanguage', { language: LOCALE_NAMES[l] }) : LOCALE_NAMES[l]}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          {canEdit ? (
            <>
              <p>
                {t('admin.updates.editingIn', { language: languageName(editLocale) })}{' '}
                {editLocale === campaign.baseLocale ? null : t('admin.updates.translationNote')}
              </p>
              <UpdateDraftEditor
                key={`${update.version}-${editLocale}`}
                update={update}
                editLocale={editLocale}
                isBase={editLocale === campaign.baseLocale}
                defaultValue={defaultValue}
                lastResult={actionData?.result}
                bodyPreview={actionData?.bodyPreview}
              />
            </>
          ) : (
            <p>{t('admin.updates.readOnly')}</p>
          )}
        </>
      ) : null}

      <section aria-labelledby="preview-heading">
        <h2 id="preview-heading">{t('admin.updates.previewHeading')}</h2>
        {previewHtml ? (
          <>
            <p className="hint">{t('admin.updates.previewNote', { language: languageName(editLocale) })}</p>
            <div className="mailbox-body" data-testid="email-preview" lang={editLocale} dangerouslySetInnerHTML={{ __html: previewHtml }} />
          </>
        ) : (
          <p>{t('admin.updates.previewEmpty')}</p>
        )}
      </section>

      {canEdit ? (
        <section className="panel" aria-labelledby="test-heading">
          <h2 id="test-heading">{t('admin.updates.testHeading')}</h2>
          <p className="hint">{t('admin.updates.testHint', { language: languageName(editLocale), email: ownEmail ?? '' })}</p>
          {actionData?.testError ? (
            <p className="field-error" role="alert">
              {actionData.testError}
            </p>
          ) : null}
          <IntentForm>
            <button type="submit" name="intent" value="test" className="button secondary">
              {t('admin.updates.test')}
            </button>
          </IntentForm>
        </section>
      ) : null}

      {canEdit && isDraft && audience !== null ? (
        <section className="panel" aria-labelledby="send-heading">
          <h2 id="send-heading">{t('admin.updates.sendHeading')}</h2>
          <p>{t('admin.updates.sendIntro', { count: audience })}</p>
          {actionData?.sendError ? (
            <p className="field-error" id="send-error" role="alert">
              {actionData.sendError}
            </p>
          ) : null}
          <IntentForm fields={{ version: update.version }}>
            <div className="check">
              <input type="checkbox" id="send-confirm" name="confirm" value="yes" aria-describedby={actionData?.sendError ? 'send-error' : undefined} />
              <label htmlFor="send-confirm">{t('admin.updates.confirm', { count: audience })}</label>
            </div>
            <button type="submit" name="intent" value="send" className="button">
              {t('admin.updates.send', { count: audience })}
            </button>
          </IntentForm>
        </section>
      ) : null}
    </div>
  )
}
