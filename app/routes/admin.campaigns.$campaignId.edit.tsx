import type { SubmissionResult } from '@conform-to/react'
import { parseWithZod } from '@conform-to/zod'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData, type ShouldRevalidateFunction } from '@remix-run/react'
import { z } from 'zod'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { updateCampaignContent } from '~/models/admin-campaign.server'
import { CHANGE_LABELS, missingForPublishing, missingTranslations, type CampaignChange } from '~/models/campaign-changes.server'
import { formatPresetList, parsePresetList } from '~/models/campaign-fields'
import { closeCampaign, publishCampaign } from '~/models/campaign-publishing.server'
import type { EditableCampaign } from '~/models/editable-campaign.server'
import { notFound, requireAdminCampaign } from '~/http/campaign.server'
import { campaignEditorSchema } from '~/models/campaign-editor-schema'
import { checkUploadedImage, imageUrl } from '~/models/campaign-image.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { getEnv } from '~/utils/env.server'
import { formatDate, formatNumber, isLocale, LOCALE_NAMES, LOCALES, type Locale, type MessageKey, type Translate } from '~/utils/i18n'
import { makeTranslator, translate } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { renderMarkdown } from '~/utils/markdown.server'
import { formatMoney } from '~/utils/money'
import { useT } from '~/utils/use-t'
import { CampaignEditorAside } from '~/components/campaign-editor-aside'
import { CampaignEditorForm } from '~/components/campaign-editor-form'
import { DoneMessage } from '~/components/done-message'

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

const EDITOR_DONE = ['saved', 'unchanged', 'published', 'closed', 'already-live', 'not-live'] as const

function editorUrl(campaignId: string, locale: Locale, done?: (typeof EDITOR_DONE)[number]) {
  return `/admin/campaigns/${campaignId}/edit?locale=${locale}${done ? `&done=${done}` : ''}`
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'campaigns.edit')
  const campaign = await requireAdminCampaign(admin, params.campaignId)
  const uiLocale = await getLocale(request)
  const t = makeTranslator(uiLocale)
  const editLocale = editLocaleOf(request, campaign)
  const content = campaign.content[editLocale]
  const currency = campaign.settings.donation_currency ?? campaign.organisationDonation.currency
  const translations = missingTranslations(campaign)
  return data({
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
    done: readDone(request, EDITOR_DONE),
    pageTitle: t('admin.edit.pageTitle'),
  })
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
  const uiLocale = await getLocale(request)
  const t = makeTranslator(uiLocale)
  const intent = form.get('intent')

  if (intent === 'publish') {
    const outcome = await publishCampaign(admin, campaign.id)
    if (outcome.status === 'not-found') throw notFound()
    if (outcome.status === 'incomplete') {
      return data<ActionData>({ publishMissing: outcome.missing.map((key) => t(key)) }, { status: 400 })
    }
    return redirect(editorUrl(campaign.id, editLocale, outcome.status))
  }
  if (intent === 'close') {
    const outcome = await closeCampaign(admin, campaign.id)
    if (outcome.status === 'not-found') throw notFound()
    if (outcome.status === 'not-live') return data<ActionData>({ statusError: t('admin.edit.notLive') }, { status: 409 })
    return redirect(editorUrl(campaign.id, editLocale, 'closed'))
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
    return data<ActionData>({ result: submission.reply(), storyPreview: renderMarkdown(typeof story === 'string' ? story : '') })
  }
  if (intent !== 'save') {
    return data<ActionData>({ result: submission.reply({ formErrors: ['admin.edit.error.intent'] }) }, { status: 400 })
  }
  if (submission.status !== 'success') {
    return data<ActionData>({ result: submission.reply() }, { status: 400 })
  }
  const value: EditorValues = submission.value
  let image: Awaited<ReturnType<typeof checkUploadedImage>> | null = null
  if (value.heroImage instanceof File && value.heroImage.size > 0) {
    image = await checkUploadedImage(value.heroImage)
    if ('problem' in image) {
      return data<ActionData>({ result: submission.reply({ fieldErrors: { heroImage: [image.problem] } }) }, { status: 400 })
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
      return redirect(editorUrl(campaign.id, editLocale, outcome.status))
    case 'slug-taken':
      return data<ActionData>({ result: submission.reply({ fieldErrors: { slug: ['admin.edit.error.slugTaken'] } }) }, { status: 400 })
    case 'conflict':
      return data<ActionData>(
        {
          result: submission.reply(),
          conflict: {
            by: outcome.by.map((p) => (p.name ? `${p.name} (${p.email})` : p.email)).join(', '),
            changes: outcome.changes ? describeChanges(outcome.changes, t, uiLocale, editLocale) : null,
          },
        },
        { status: 409 },
      )
  }
}

// Remix skips reloading after a 4xx answer; a conflict must reload, so the form carries the
// version that is current now and the next save is a deliberate overwrite.
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) =>
  actionResult && typeof actionResult === 'object' && 'conflict' in actionResult ? true : defaultShouldRevalidate

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data ? `${data.pageTitle}: ${data.campaign.title}` : ''} · Chorus` }]

export default function EditCampaign() {
  const loaderData = useLoaderData<typeof loader>()
  const { campaign, editLocale, missingForPublishing: missing, translations, done } = loaderData
  const actionData = useActionData<typeof action>()
  const t = useT()
  const isBase = editLocale === campaign.baseLocale
  const doneMessages: Record<(typeof EDITOR_DONE)[number], MessageKey> = {
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
      <DoneMessage>{done && !actionData ? t(doneMessages[done]) : null}</DoneMessage>
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
        <CampaignEditorForm key={campaign.version} {...loaderData} lastResult={actionData?.result} storyPreview={actionData?.storyPreview} />
        <CampaignEditorAside
          campaign={campaign}
          editLocale={editLocale}
          missing={missing}
          translations={translations}
          publishMissing={actionData?.publishMissing}
          statusError={actionData?.statusError}
        />
      </div>
    </div>
  )
}
