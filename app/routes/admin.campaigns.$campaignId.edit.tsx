import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm, type SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation, type ShouldRevalidateFunction } from '@remix-run/react'
import { z } from 'zod'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { CsrfField } from '~/components/csrf-field'
import { FormField } from '~/components/form-field'
import {
  CHANGE_LABELS,
  closeCampaign,
  formatPresetList,
  missingForPublishing,
  missingTranslations,
  parsePresetList,
  publishCampaign,
  updateCampaignContent,
  type CampaignChange,
  type EditableCampaign,
} from '~/models/admin-campaign.server'
import { notFound, requireAdminCampaign } from '~/http/campaign.server'
import { campaignEditorSchema } from '~/models/campaign-editor-schema.server'
import { checkUploadedImage, imageUrl } from '~/models/campaign-image.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { getEnv } from '~/utils/env.server'
import { NO_STORE } from '~/utils/http.server'
import { formatDate, formatNumber, isLocale, LOCALE_NAMES, LOCALES, type Locale, type MessageKey, type Translate } from '~/utils/i18n'
import { makeTranslator, translate } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { renderMarkdown } from '~/utils/markdown.server'
import { formatMoney } from '~/utils/money'
import { useT } from '~/utils/use-t'
import { ErrorSummary } from '~/components/error-summary'
import { useUnsavedChanges } from '~/components/unsaved-changes'

// The campaign editor: one form per locale (texts of that locale plus the shared settings), sent
// as multipart because it may carry the hero image. Saves name the version they started from
// (decision 0008); "Preview story" renders the submitted markdown without saving anything.

type EditorValues = z.infer<ReturnType<typeof campaignEditorSchema>>

function editLocaleOf(request: Request, campaign: EditableCampaign): Locale {
  const wanted = new URL(request.url).searchParams.get('locale')
  return isLocale(wanted) ? wanted : campaign.baseLocale
}

/** datetime-local wants "YYYY-MM-DDTHH:mm"; we keep closing dates in UTC. */
function toDateTimeLocal(iso: string | null): string {
  return iso ? iso.slice(0, 16) : ''
}

function editorUrl(campaignId: string, locale: Locale, done?: string) {
  return `/admin/campaigns/${campaignId}/edit?locale=${locale}${done ? `&done=${done}` : ''}`
}

const noStore = { 'Cache-Control': NO_STORE }

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'campaigns.edit')
  const campaign = await requireAdminCampaign(admin, params.campaignId)
  const uiLocale = getLocale(request)
  const t = makeTranslator(uiLocale)
  const editLocale = editLocaleOf(request, campaign)
  const content = campaign.content[editLocale]
  const currency = campaign.settings.donation_currency ?? campaign.organisationDonation.currency
  const done = new URL(request.url).searchParams.get('done')
  const translations = missingTranslations(campaign)
  return data(
    {
      campaign: {
        id: campaign.id,
        title: campaign.content[campaign.baseLocale]?.title || t('admin.campaigns.untitled'),
        status: campaign.status,
        baseLocale: campaign.baseLocale,
        version: campaign.version,
        slug: campaign.settings.slug,
        heroImage: campaign.heroImage ? { url: imageUrl(campaign.heroImage), width: campaign.heroImage.width, height: campaign.heroImage.height } : null,
        publicUrl: `${getEnv().APP_URL}/campaigns/${campaign.settings.slug}`,
      },
      editLocale,
      defaultValue: {
        title: content?.title ?? '',
        summary: content?.summary ?? '',
        story: content?.story ?? '',
        targetName: content?.target_name ?? '',
        targetRole: content?.target_role ?? '',
        demand: content?.demand ?? '',
        heroImageAlt: content?.hero_image_alt ?? '',
        consentUpdatesText: content?.consent_updates_text ?? '',
        consentShowNameText: content?.consent_show_name_text ?? '',
        slug: campaign.settings.slug,
        signatureGoal: String(campaign.settings.signature_goal),
        closesAt: toDateTimeLocal(campaign.settings.closes_at),
        showRecentSigners: campaign.settings.show_recent_signers ? 'on' : '',
        showDonationTotals: campaign.settings.show_donation_totals ? 'on' : '',
        milestoneUpdates: campaign.settings.milestone_updates ? 'on' : '',
        donationCurrency: campaign.settings.donation_currency ?? '',
        donationPresets: campaign.settings.donation_presets ? formatPresetList(campaign.settings.donation_presets, currency) : '',
        milestones: campaign.milestones.map((m) => ({ threshold: String(m.threshold), description: m.descriptions[editLocale] ?? '' })),
        removeImage: '',
        heroImage: '',
      },
      baseMilestones: campaign.milestones.map((m) => ({
        threshold: m.threshold,
        label: formatNumber(uiLocale, m.threshold),
        baseText: m.descriptions[campaign.baseLocale] ?? '',
      })),
      organisationDonation: {
        currency: campaign.organisationDonation.currency,
        presets: campaign.organisationDonation.presets.map((p) => formatMoney(uiLocale, p, campaign.organisationDonation.currency)).join(', '),
      },
      effectiveCurrency: currency,
      consentDefaults: { updates: translate(editLocale, 'sign.consentUpdates'), showName: translate(editLocale, 'sign.consentShowName') },
      missingForPublishing: missingForPublishing(campaign).map((key) => t(key)),
      translations: LOCALES.filter((l) => l !== campaign.baseLocale).map((l) => ({
        locale: l,
        missing: (translations[l] ?? []).map((key) => t(key)),
      })),
      done: done && ['saved', 'unchanged', 'published', 'closed', 'already-live', 'not-live'].includes(done) ? done : null,
      pageTitle: t('admin.edit.pageTitle'),
    },
    { headers: noStore },
  )
}

/** A conflict as the second person reads it: each changed field and what it holds now. */
function describeChanges(changes: CampaignChange[], t: Translate, uiLocale: Locale, editLocale: Locale) {
  const show = (value: unknown, field: CampaignChange['field']): string => {
    if (field === 'image') return value ? t('admin.edit.conflictNewImage') : t('admin.edit.conflictNoImage')
    if (field === 'closes_at') return typeof value === 'string' ? `${formatDate(uiLocale, value)} ${value.slice(11, 16)} UTC` : t('admin.edit.conflictEmpty')
    if (field === 'milestones' && Array.isArray(value)) {
      const list = value as { threshold: number; descriptions: Record<string, string> }[]
      if (!list.length) return t('admin.edit.conflictEmpty')
      return list.map((m) => `${formatNumber(uiLocale, m.threshold)}: ${m.descriptions[editLocale] ?? ''}`).join('; ')
    }
    if (Array.isArray(value)) return value.join(', ')
    if (typeof value === 'boolean') return value ? t('admin.edit.conflictYes') : t('admin.edit.conflictNo')
    if (typeof value === 'number') return formatNumber(uiLocale, value)
    if (value === null || value === undefined || value === '') return t('admin.edit.conflictEmpty')
    const s = String(value)
    return s.length > 300 ? `${s.slice(0, 300)}…` : s
  }
  return changes.map((c) => ({
    key: `${c.field}.${c.locale ?? ''}`,
    label: c.locale ? `${t(CHANGE_LABELS[c.field])} (${LOCALE_NAMES[c.locale]})` : t(CHANGE_LABELS[c.field]),
    now: show(c.after, c.field),
  }))
}

/** Every answer of the action, for the page (one shape, so no outcome's fields are lost). */
type ActionData = {
  result?: SubmissionResult<string[]>
  storyPreview?: string
  conflict?: { by: string; changes: { key: string; label: string; now: string }[] | null }
  publishMissing?: string[]
  statusError?: string
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'campaigns.edit', { maxBytes: 3 * 1024 * 1024 })
  const campaign = await requireAdminCampaign(admin, params.campaignId)
  const editLocale = editLocaleOf(request, campaign)
  const uiLocale = getLocale(request)
  const t = makeTranslator(uiLocale)
  const intent = form.get('intent')

  if (intent === 'publish') {
    const outcome = await publishCampaign(admin, campaign.id)
    if (outcome.status === 'not-found') throw notFound()
    if (outcome.status === 'incomplete') {
      return data<ActionData>({ publishMissing: outcome.missing.map((key) => t(key)) }, { status: 400, headers: noStore })
    }
    return redirect(editorUrl(campaign.id, editLocale, outcome.status), { headers: noStore })
  }
  if (intent === 'close') {
    const outcome = await closeCampaign(admin, campaign.id)
    if (outcome.status === 'not-found') throw notFound()
    if (outcome.status === 'not-live') return data<ActionData>({ statusError: t('admin.edit.notLive') }, { status: 409, headers: noStore })
    return redirect(editorUrl(campaign.id, editLocale, 'closed'), { headers: noStore })
  }

  const isBase = editLocale === campaign.baseLocale
  const schema = campaignEditorSchema({
    organisationCurrency: campaign.organisationDonation.currency,
    hasImage: campaign.heroImage !== null,
    isBase,
  })
  const submission = parseWithZod(form, { schema })

  if (intent === 'preview-story') {
    // Nothing is saved: the story as typed, rendered exactly as the public page would.
    const story = form.get('story')
    return data<ActionData>({ result: submission.reply(), storyPreview: renderMarkdown(typeof story === 'string' ? story : '') }, { headers: noStore })
  }
  if (intent !== 'save') {
    return data<ActionData>({ result: submission.reply({ formErrors: ['admin.edit.error.intent'] }) }, { status: 400, headers: noStore })
  }
  if (submission.status !== 'success') {
    return data<ActionData>({ result: submission.reply() }, { status: 400, headers: noStore })
  }
  const value: EditorValues = submission.value
  let image: Awaited<ReturnType<typeof checkUploadedImage>> | null = null
  if (value.heroImage instanceof File && value.heroImage.size > 0) {
    image = await checkUploadedImage(value.heroImage)
    if ('problem' in image) {
      return data<ActionData>({ result: submission.reply({ fieldErrors: { heroImage: [image.problem] } }) }, { status: 400, headers: noStore })
    }
  }
  const currency = value.donationCurrency ?? campaign.organisationDonation.currency
  const presets = value.donationPresets ? parsePresetList(value.donationPresets, currency) : null
  const milestones = value.milestones
    .filter((m): m is { threshold: number; description: string } => m?.threshold !== undefined)
    .map((m) => ({ threshold: m.threshold, description: m.description }))

  const outcome = await updateCampaignContent(
    admin,
    campaign.id,
    editLocale,
    {
      content: {
        title: value.title,
        summary: value.summary,
        story: value.story,
        target_name: value.targetName,
        target_role: value.targetRole,
        demand: value.demand,
        hero_image_alt: value.heroImageAlt,
        consent_updates_text: value.consentUpdatesText,
        consent_show_name_text: value.consentShowNameText,
      },
      settings: {
        slug: value.slug,
        signature_goal: value.signatureGoal,
        closes_at: value.closesAt ? new Date(`${value.closesAt}Z`) : null,
        show_recent_signers: value.showRecentSigners,
        donation_currency: value.donationCurrency ?? null,
        donation_presets: presets && presets.length ? presets : null,
        show_donation_totals: value.showDonationTotals,
        milestone_updates: value.milestoneUpdates,
      },
      milestones,
      image: image && 'image' in image ? image.image : value.removeImage ? null : undefined,
    },
    value.version,
  )
  switch (outcome.status) {
    case 'not-found':
      throw notFound()
    case 'saved':
    case 'unchanged':
      return redirect(editorUrl(campaign.id, editLocale, outcome.status), { headers: noStore })
    case 'slug-taken':
      return data<ActionData>({ result: submission.reply({ fieldErrors: { slug: ['admin.edit.error.slugTaken'] } }) }, { status: 400, headers: noStore })
    case 'conflict':
      return data<ActionData>(
        {
          result: submission.reply(),
          conflict: {
            by: outcome.by.map((p) => (p.name ? `${p.name} (${p.email})` : p.email)).join(', '),
            changes: outcome.changes ? describeChanges(outcome.changes, t, uiLocale, editLocale) : null,
          },
        },
        { status: 409, headers: noStore },
      )
  }
}

// Remix skips reloading after a 4xx answer; a conflict must reload, so the form carries the
// version that is current now and the next save is a deliberate overwrite.
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) =>
  actionResult && typeof actionResult === 'object' && 'conflict' in actionResult ? true : defaultShouldRevalidate

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `${data.pageTitle}: ${data.campaign.title}` : ''} · Chorus` }]

/** Error messages are translation keys; "too long" carries its limit after a colon. */
function useErrorText() {
  const t = useT()
  return (message: string | undefined) => {
    if (!message) return undefined
    const [key, max] = message.split(':')
    return t.message(key ?? '', max ? { max: Number(max) } : undefined)
  }
}

function EditorForm() {
  const loaderData = useLoaderData<typeof loader>()
  const { campaign, editLocale, defaultValue, baseMilestones, consentDefaults, organisationDonation, effectiveCurrency } = loaderData
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const errorText = useErrorText()
  const isBase = editLocale === campaign.baseLocale
  const [form, fields] = useForm({
    id: 'campaign-editor',
    lastResult: actionData?.result,
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
    <Form method="post" encType="multipart/form-data" {...getFormProps(form)} className="editor" noValidate>
      <CsrfField />
      <input type="hidden" name="version" value={campaign.version} />
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
        {actionData?.storyPreview !== undefined ? (
          <section className="story-preview" aria-labelledby="story-preview-heading" role="region">
            <h3 id="story-preview-heading">{t('admin.edit.storyPreviewHeading')}</h3>
            <p className="hint">{t('admin.edit.storyPreviewNote')}</p>
            {actionData.storyPreview ? (
              <div className="story" lang={editLocale} dangerouslySetInnerHTML={{ __html: actionData.storyPreview }} />
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
        <div className="check">
          <input {...getInputProps(fields.milestoneUpdates, { type: 'checkbox' })} key={fields.milestoneUpdates.key} />
          <label htmlFor={fields.milestoneUpdates.id}>{t('admin.field.milestoneUpdates')}</label>
        </div>
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
        {campaign.heroImage && isBase ? (
          <div className="check">
            <input {...getInputProps(fields.removeImage, { type: 'checkbox' })} key={fields.removeImage.key} />
            <label htmlFor={fields.removeImage.id}>{t('admin.edit.imageRemove')}</label>
          </div>
        ) : null}
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
          hint={t('admin.edit.consentHint', { text: consentDefaults.showName })}
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
        <div className="check">
          <input {...getInputProps(fields.showRecentSigners, { type: 'checkbox' })} key={fields.showRecentSigners.key} />
          <label htmlFor={fields.showRecentSigners.id}>{t('admin.field.showRecentSigners')}</label>
        </div>
        <FormField id={fields.donationCurrency.id} label={t('admin.field.donationCurrency')} error={fieldError(fields.donationCurrency)}>
          <select {...getSelectProps(fields.donationCurrency)} key={fields.donationCurrency.key}>
            <option value="">{t('admin.edit.currencyDefault', { currency: organisationDonation.currency })}</option>
            {DONATION_CURRENCY_OPTIONS.map((code) => (
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
        <div className="check">
          <input {...getInputProps(fields.showDonationTotals, { type: 'checkbox' })} key={fields.showDonationTotals.key} />
          <label htmlFor={fields.showDonationTotals.id}>{t('admin.field.showDonationTotals')}</label>
        </div>
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
    </Form>
  )
}

// Kept beside the component: the list is the model's, shown without importing server code into the browser bundle.
const DONATION_CURRENCY_OPTIONS = ['EUR', 'GBP', 'USD', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'CAD', 'AUD', 'JPY'] as const

/** The control's id for a field name (Conform's `<form id>-<name>`, ours for milestone rows), for the error summary's links. */
function fieldId(formId: string, name: string): string {
  const milestone = name.match(/^milestones\[(\d+)\]\.(threshold|description)$/)
  if (milestone) return `milestone-${milestone[1]}-${milestone[2]}`
  return `${formId}-${name}`
}

export default function EditCampaign() {
  const loaderData = useLoaderData<typeof loader>()
  const { campaign, editLocale, missingForPublishing: missing, translations, done } = loaderData
  const actionData = useActionData<typeof action>()
  const t = useT()
  const isBase = editLocale === campaign.baseLocale
  const doneMessages: Record<string, MessageKey> = {
    saved: 'admin.edit.saved',
    unchanged: 'admin.edit.unchanged',
    published: 'admin.edit.published',
    closed: 'admin.edit.closed',
    'already-live': 'admin.edit.alreadyLive',
    'not-live': 'admin.edit.notLive',
  }
  return (
    <div className="wrap">
      <h1>{t('admin.edit.title', { title: campaign.title })}</h1>
      <AdminCampaignNav campaignId={campaign.id} current="edit" />
      <p>
        <span className={`status-badge status-${campaign.status}`}>{t('admin.edit.status', { status: t(`admin.status.${campaign.status}`) })}</span>
      </p>
      <div role="status" aria-live="polite">
        {done && !actionData ? <p className="success">{t(doneMessages[done]!)}</p> : null}
      </div>
      <nav aria-label={t('admin.edit.languages')} className="locale-tabs">
        <ul>
          {LOCALES.map((l) => (
            <li key={l}>
              <Link to={`?locale=${l}`} aria-current={l === editLocale ? 'page' : undefined} lang={l}>
                {l === campaign.baseLocale ? t('admin.edit.baseLanguage', { language: LOCALE_NAMES[l] }) : LOCALE_NAMES[l]}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <p>
        {t('admin.edit.editingIn', { language: LOCALE_NAMES[editLocale] })} {isBase ? null : t('admin.edit.translationNote')}
      </p>
      {actionData?.conflict ? (
        <section className="conflict-panel" aria-labelledby="conflict-heading" role="alert">
          <h2 id="conflict-heading">{t('admin.edit.conflictHeading')}</h2>
          {actionData.conflict.by ? <p>{t('admin.edit.conflictBy', { people: actionData.conflict.by })}</p> : null}
          <p>{t('admin.edit.conflictIntro')}</p>
          {actionData.conflict.changes ? (
            <ul className="changes-list">
              {actionData.conflict.changes.map((c) => (
                <li key={c.key}>
                  <strong>{c.label}</strong>. {t('admin.edit.conflictNow', { value: c.now })}
                </li>
              ))}
            </ul>
          ) : (
            <p>{t('admin.edit.conflictUnknown')}</p>
          )}
          <p>{t('admin.edit.conflictAgain')}</p>
        </section>
      ) : null}
      <div className="editor-columns">
        <EditorForm key={campaign.version} />
        <aside>
          <section className="panel" aria-labelledby="publish-heading">
            <h2 id="publish-heading">{t('admin.edit.publishHeading')}</h2>
            {actionData?.publishMissing?.length ? (
              <div className="error-summary" role="alert" tabIndex={-1}>
                <h3>{t('admin.edit.missingHeading')}</h3>
                <ul>
                  {actionData.publishMissing.map((m) => (
                    <li key={m}>{m}</li>
                  ))}
                </ul>
              </div>
            ) : null}
            {actionData?.statusError ? (
              <p className="field-error" role="alert">
                {actionData.statusError}
              </p>
            ) : null}
            {campaign.status === 'live' ? (
              <>
                <p>
                  <a href={campaign.publicUrl}>{t('admin.edit.publicLink')}</a>
                </p>
                <p className="hint">{t('admin.edit.closeHint')}</p>
                <Form method="post">
                  <CsrfField />
                  <button type="submit" name="intent" value="close" className="button danger">
                    {t('admin.edit.close')}
                  </button>
                </Form>
              </>
            ) : (
              <>
                {missing.length && !actionData?.publishMissing ? (
                  <>
                    <p>{t('admin.edit.missingHeading')}</p>
                    <ul>
                      {missing.map((m) => (
                        <li key={m}>{m}</li>
                      ))}
                    </ul>
                  </>
                ) : null}
                <p className="hint">{t('admin.edit.publishHint', { url: campaign.publicUrl })}</p>
                <Form method="post">
                  <CsrfField />
                  <button type="submit" name="intent" value="publish" className="button">
                    {campaign.status === 'closed' ? t('admin.edit.republish') : t('admin.edit.publish')}
                  </button>
                </Form>
              </>
            )}
          </section>
          <section className="panel" aria-labelledby="translations-heading">
            <h2 id="translations-heading">{t('admin.edit.translationsHeading')}</h2>
            {translations.map((tr) => (
              <div key={tr.locale}>
                {tr.missing.length ? (
                  <>
                    <p>{t('admin.edit.translationMissing', { language: LOCALE_NAMES[tr.locale] })}</p>
                    <ul>
                      {tr.missing.map((m) => (
                        <li key={m}>{m}</li>
                      ))}
                    </ul>
                    <p className="hint">{t('admin.edit.translationHidden', { language: LOCALE_NAMES[tr.locale] })}</p>
                  </>
                ) : (
                  <p>{t('admin.edit.translationComplete', { language: LOCALE_NAMES[tr.locale] })}</p>
                )}
                {tr.locale !== editLocale ? (
                  <p>
                    <Link to={`?locale=${tr.locale}`}>{t('admin.edit.translationLink', { language: LOCALE_NAMES[tr.locale] })}</Link>
                  </p>
                ) : null}
              </div>
            ))}
          </section>
        </aside>
      </div>
    </div>
  )
}
