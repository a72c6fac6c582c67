import { getFormProps, getInputProps, getTextareaProps, useForm, type SubmissionResult } from '@conform-to/react'
import { useNavigation } from '@remix-run/react'
import { ErrorSummary } from '~/components/error-summary'
import { CheckField, FormField } from '~/components/form-field'
import { IntentForm } from '~/components/intent-form'
import { updateErrorText } from '~/models/campaign-update-schema'
import type { Locale } from '~/utils/i18n'
import { useT } from '~/utils/use-t'

type Props = {
  update: { version: number; public: boolean }
  editLocale: Locale
  isBase: boolean
  defaultValue: { subject: string; body: string; public: string }
  /** The action's last answer to this form: its validation and, after "Preview", the body as HTML. */
  lastResult?: SubmissionResult<string[]>
  bodyPreview?: string
}

/**
 * An update's draft in one language (decision 0010): subject, body and, in the base language,
 * whether the update is public. The save names the version it started from; the server checks it.
 */
export function UpdateDraftEditor({ update, editLocale, isBase, defaultValue, lastResult, bodyPreview }: Props) {
  const navigation = useNavigation()
  const t = useT()
  const [form, fields] = useForm({
    id: 'update-editor',
    lastResult,
    defaultValue,
    shouldValidate: 'onSubmit',
  })
  const error = (field: { errors?: string[] }) => updateErrorText(t, field.errors?.[0])
  const invalid = [fields.subject, fields.body].filter((f) => f.errors?.length)
  const busy = navigation.state === 'submitting'
  return (
    <IntentForm fields={{ version: update.version }} {...getFormProps(form)} className="editor" noValidate>
      <ErrorSummary heading={t('admin.updates.error.summary')} fieldErrors={invalid.map((f) => ({ id: f.id, message: error(f)! }))} />
      <FormField id={fields.subject.id} label={t('admin.updates.field.subject')} error={error(fields.subject)}>
        <input {...getInputProps(fields.subject, { type: 'text' })} key={fields.subject.key} lang={editLocale} />
      </FormField>
      <FormField id={fields.body.id} label={t('admin.updates.field.body')} hint={t('admin.updates.field.bodyHint')} error={error(fields.body)}>
        <textarea {...getTextareaProps(fields.body)} key={fields.body.key} rows={14} lang={editLocale} />
      </FormField>
      {isBase ? (
        <CheckField field={fields.public} label={t('admin.updates.field.public')} />
      ) : (
        <input type="hidden" name="public" value={update.public ? 'on' : ''} />
      )}
      <div className="button-row">
        <button type="submit" name="intent" value="save" className="button" disabled={busy}>
          {t('admin.updates.save')}
        </button>
        <button type="submit" name="intent" value="preview" className="button secondary" disabled={busy}>
          {t('admin.updates.preview')}
        </button>
      </div>
      {bodyPreview !== undefined ? (
        <section className="story-preview" aria-labelledby="unsaved-preview-heading">
          <h3 id="unsaved-preview-heading">{t('admin.updates.previewUnsaved')}</h3>
          {bodyPreview ? (
            <div className="story" lang={editLocale} dangerouslySetInnerHTML={{ __html: bodyPreview }} />
          ) : (
            <p>{t('admin.updates.previewEmpty')}</p>
          )}
        </section>
      ) : null}
    </IntentForm>
  )
}
