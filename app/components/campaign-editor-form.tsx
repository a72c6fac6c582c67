import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm, type SubmissionResult } from '@conform-to/react'
import { useNavigation } from '@remix-run/react'
import { ErrorSummary } from '~/components/error-summary'
import { CheckField, FormField } from '~/components/form-field'
import { useUnsavedChanges } from '~/components/unsaved-changes'
import { IntentForm } from '~/components/intent-form'
import { DONATION_CURRENCIES } from '~/models/campaign-fields'
import { LOCALE_NAMES, type Locale } from '~/utils/i18n'
import { useT } from '~/utils/use-t'

// The campaign editor's form (its route: admin.campaigns.$campaignId.edit.tsx), sent as multipart
// because it may carry the hero image. Field names follow campaignEditorSchema.

/** The form's starting values, as the editor's loader sends them (every field as typed text). */
export interface CampaignEditorDefaults {
  title: string
  summary: string
  story: string
  targetName: string
  targetRole: string
  demand: string
  heroImageAlt: string
  consentUpdatesText: string
  consentShowNameText: string
  slug: string
  signatureGoal: string
  closesAt: string
  showRecentSigners: string
  showDonationTotals: string
  milestoneUpdates: string
  donationCurrency: string
  donationPresets: string
  milestones: { threshold: string; description: string }[]
  removeImage: string
  heroImage: string
}

export interface CampaignEditorFormProps {
  campaign: { version: number; baseLocale: Locale; heroImage: { url: string; width: number | null; height: number | null } | null }
  editLocale: Locale
  defaultValue: CampaignEditorDefaults
  /** The base locale's milestones, shown beside a translation's descriptions. */
  baseMilestones: { threshold: number; label: string; baseText: string }[]
  consentDefaults: { updates: string; showName: string }
  organisationDonation: { currency: string; presets: string }
  effectiveCurrency: string
  lastResult?: SubmissionResult<string[]>
  /** The story rendered by "Preview story"; an empty string when the story is empty. */
  storyPreview?: string
}

/** Error messages are translation keys; "too long" carries its limit after a colon. */
function useErrorText() {
  const t = useT()
  return (message: string | undefined) => {
    if (!message) return undefined
    const [key, max] = message.split(':')
    return t.message(key ?? '', max ? { max: Number(max) } : undefined)
  }
}

/** The editor's form for one locale: that locale's texts, milestones, image, consent wording and the shared settings. */
export function CampaignEditorForm({
  campaign,
  editLocale,
  defaultValue,
  baseMilestones,
  consentDefaults,
  organisationDonation,
  effectiveCurrency,
  lastResult,
  storyPreview,
}: CampaignEditorFormProps) {
  const navigation = useNavigation()
  const t = useT()
  const errorText = useErrorText()
  const isBase = editLocale === campaign.baseLocale
  const [form, fields] = useForm({
    id: 'campaign-editor',
    lastResult,
    defaultValue,
    shouldValidate: 'onSubmit',
  })
  const fieldError = (field: { errors?: string[] }) => errorText(field.errors?.[0])
  const milestoneList = fields.milestones.getFieldList()
  const rowCount = isBase ? milestoneList.length + 2 : baseMilestones.length
  const errors = [
    ...(form.errors ?? []).map((e) => ({ id: form.id, message: errorText(e)! })),
    ...Object.entries(form.allErrors)
      .filter(([name]) => name !== '')
      .map(([name, messages]) => ({ id: fieldId(form.id, name), message: errorText(messages[0])! })),
  ]
  const busy = navigation.state === 'submitting'
  const langOf = { lang: editLocale }
  const unsaved = useUnsavedChanges(form.id, t('admin.edit.leaveConfirm'))

  return (
    <IntentForm fields={{ version: campaign.version }} encType="multipart/form-data" {...getFormProps(form)} className="editor" noValidate>
      <ErrorSummary heading={t('admin.edit.errorSummary')} fieldErrors={errors} />

      <fieldset>
        <legend>{t('admin.edit.textsHeading', { language: LOCALE_NAMES[editLocale] })}</legend>
        <FormField id={fields.title.id} label={t('admin.field.title')} error={fieldError(fields.title)}>
          <input {...getInputProps(fields.title, { type: 'text' })} key={fields.title.key} {...langOf} />
        </FormField>
        <FormField id={fields.summary.id} label={t('admin.field.summary')} error={fieldError(fields.summary)}>
          <textarea {...getTextareaProps(fields.summary)} key={fields.summary.key} rows={3} {...langOf} />
        </FormField>
        <FormField id={fields.story.id} label={t('admin.field.story')} hint={t('admin.edit.storyHint')} error={fieldError(fields.story)}>
          <textarea {...getTextareaProps(fields.story)} key={fields.story.key} rows={14} className="story-input" {...langOf} />
        </FormField>
        <p>
          <button type="submit" name="intent" value="preview-story" className="button secondary small" disabled={busy}>
            {t('admin.edit.previewStory')}
          </button>
        </p>
        {storyPreview !== undefined ? (
          <section className="story-preview" aria-labelledby="story-preview-heading" role="region">
            <h3 id="story-preview-heading">{t('admin.edit.storyPreviewHeading')}</h3>
            <p className="hint">{t('admin.edit.storyPreviewNote')}</p>
            {storyPreview ? (
              <div className="story" lang={editLocale} dangerouslySetInnerHTML={{ __html: storyPreview }} />
            ) : (
              <p>{t('admin.edit.storyPreviewEmpty')}</p>
            )}
          </section>
        ) : null}
        <FormField id={fields.targetName.id} label={t('admin.field.targetName')} error={fieldError(fields.targetName)}>
          <input {...getInputProps(fields.targetName, { type: 'text' })} key={fields.targetName.key} {...langOf} />
        </FormField>
        <FormField id={fields.targetRole.id} label={t('admin.field.targetRole')} error={fieldError(fields.targetRole)}>
          <input {...getInputProps(fields.targetRole, { type: 'text' })} key={fields.targetRole.key} {...langOf} />
        </FormField>
        <FormField id={fields.demand.id} label={t('admin.field.demand')} error={fieldError(fields.demand)}>
          <textarea {...getTextareaProps(fields.demand)} key={fields.demand.key} rows={3} {...langOf} />
        </FormField>
      </fieldset>

      <fieldset>
        <legend>{t('admin.edit.milestonesHeading')}</legend>
        <p className="hint">{isBase ? t('admin.edit.milestonesHint') : t('admin.edit.milestonesTranslationHint')}</p>
        {!isBase && baseMilestones.length === 0 ? <p>{t('admin.edit.noMilestones')}</p> : null}
        {Array.from({ length: rowCount }, (_, i) => {
          const item = milestoneList[i]?.getFieldset()
          const thresholdId = `milestone-${i}-threshold`
          const descriptionId = `milestone-${i}-description`
          const thresholdError = errorText(item?.threshold.errors?.[0])
          const base = baseMilestones[i]
          return (
            <div className="milestone-row" key={`${i}-${item?.threshold.key ?? ''}`}>
              {isBase ? (
                <FormField id={thresholdId} label={t('admin.edit.milestoneThreshold', { n: i + 1 })} error={thresholdError}>
                  <input
                    type="number"
                    name={`milestones[${i}].threshold`}
                    defaultValue={(item?.threshold.initialValue as string | undefined) ?? ''}
                    min={1}
                    step={1}
                    inputMode="numeric"
                  />
                </FormField>
              ) : (
                <p>
                  <strong>{t('campaign.milestone', { count: base?.threshold ?? 0 })}</strong>
                  <input type="hidden" name={`milestones[${i}].threshold`} value={base?.threshold ?? ''} />
                  {base?.baseText ? (
                    <>
                      <br />
                      <span className="hint" lang={campaign.baseLocale}>
                        {base.baseText}
                      </span>
                    </>
                  ) : null}
                </p>
              )}
              <FormField id={descriptionId} label={t('admin.edit.milestoneDescription', { n: i + 1 })} error={errorText(item?.description.errors?.[0])}>
                <input
                  type="text"
                  name={`milestones[${i}].description`}
                  defaultValue={(item?.description.initialValue as string | undefined) ?? ''}
                  {...langOf}
                />
              </FormField>
            </div>
          )
        })}
        <CheckField field={fields.milestoneUpdates} label={t('admin.field.milestoneUpdates')} />
      </fieldset>

      <fieldset>
        <legend>{t('admin.edit.imageHeading')}</legend>
        {campaign.heroImage ? (
          <>
            <p>{t('admin.edit.imageCurrent')}</p>
            <img
              className="hero-thumb"
              src={campaign.heroImage.url}
              alt={defaultValue.heroImageAlt}
              width={campaign.heroImage.width ?? undefined}
              height={campaign.heroImage.height ?? undefined}
            />
          </>
        ) : (
          <p>{t('admin.edit.imageNone')}</p>
        )}
        <FormField id={fields.heroImage.id} label={t('admin.edit.imageFile')} hint={t('admin.edit.imageFileHint')} error={fieldError(fields.heroImage)}>
          <input type="file" name={fields.heroImage.name} accept="image/jpeg,image/png,image/webp" />
        </FormField>
        <FormField
          id={fields.heroImageAlt.id}
          label={t('admin.field.heroImageAlt')}
          hint={t('admin.edit.imageAltHint')}
          error={fieldError(fields.heroImageAlt)}
        >
          <input {...getInputProps(fields.heroImageAlt, { type: 'text' })} key={fields.heroImageAlt.key} {...langOf} />
        </FormField>
        {campaign.heroImage && isBase ? <CheckField field={fields.removeImage} label={t('admin.edit.imageRemove')} /> : null}
      </fieldset>

      <fieldset>
        <legend>{t('admin.edit.consentHeading')}</legend>
        <FormField
          id={fields.consentUpdatesText.id}
          label={t('admin.field.consentUpdatesText')}
          hint={t('admin.edit.consentHint', { text: consentDefaults.updates })}
          error={fieldError(fields.consentUpdatesText)}
        >
          <input {...getInputProps(fields.consentUpdatesText, { type: 'text' })} key={fields.consentUpdatesText.key} {...langOf} />
        </FormField>
        <FormField
          id={fields.consentShowNameText.id}
          label={t('admin.field.consentShowNameText')}
          hint={t('admin.edit.consentShowNameHint', { text: consentDefaults.showName })}
          error={fieldError(fields.consentShowNameText)}
        >
          <input {...getInputProps(fields.consentShowNameText, { type: 'text' })} key={fields.consentShowNameText.key} {...langOf} />
        </FormField>
      </fieldset>

      <fieldset>
        <legend>{t('admin.edit.settingsHeading')}</legend>
        <FormField id={fields.slug.id} label={t('admin.field.slug')} hint={t('admin.edit.slugHint')} error={fieldError(fields.slug)}>
          <input {...getInputProps(fields.slug, { type: 'text' })} key={fields.slug.key} spellCheck={false} autoCapitalize="none" />
        </FormField>
        <FormField id={fields.signatureGoal.id} label={t('admin.field.signatureGoal')} hint={t('admin.edit.goalHint')} error={fieldError(fields.signatureGoal)}>
          <input {...getInputProps(fields.signatureGoal, { type: 'number' })} key={fields.signatureGoal.key} min={1} step={1} inputMode="numeric" />
        </FormField>
        <FormField id={fields.closesAt.id} label={t('admin.field.closesAt')} hint={t('admin.edit.closesAtHint')} error={fieldError(fields.closesAt)}>
          <input {...getInputProps(fields.closesAt, { type: 'datetime-local' })} key={fields.closesAt.key} />
        </FormField>
        <CheckField field={fields.showRecentSigners} label={t('admin.field.showRecentSigners')} />
        <FormField id={fields.donationCurrency.id} label={t('admin.field.donationCurrency')} error={fieldError(fields.donationCurrency)}>
          <select {...getSelectProps(fields.donationCurrency)} key={fields.donationCurrency.key}>
            <option value="">{t('admin.edit.currencyDefault', { currency: organisationDonation.currency })}</option>
            {DONATION_CURRENCIES.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </FormField>
        <FormField
          id={fields.donationPresets.id}
          label={t('admin.field.donationPresets')}
          hint={t('admin.edit.presetsHint', { currency: effectiveCurrency, presets: organisationDonation.presets })}
          error={fieldError(fields.donationPresets)}
        >
          <input {...getInputProps(fields.donationPresets, { type: 'text' })} key={fields.donationPresets.key} inputMode="decimal" />
        </FormField>
        <CheckField field={fields.showDonationTotals} label={t('admin.field.showDonationTotals')} />
      </fieldset>

      {/* The save button stays in view along the long form, with a word when changes are unsaved. */}
      <div className="save-bar">
        <button type="submit" name="intent" value="save" className="button" disabled={busy}>
          {t('admin.edit.save')}
        </button>
        <p aria-live="polite" className="save-bar-status">
          {unsaved ? t('admin.edit.unsaved') : ''}
        </p>
      </div>
    </IntentForm>
  )
}

/** The control's id for a field name (Conform's `<form id>-<name>`, ours for milestone rows), for the error summary's links. */
function fieldId(formId: string, name: string): string {
  const milestone = name.match(/^milestones\[(\d+)\]\.(threshold|description)$/)
  if (milestone) return `milestone-${milestone[1]}-${milestone[2]}`
  return `${formId}-${name}`
}
