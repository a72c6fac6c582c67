import { emptyContent, LOCALE_FIELDS, SETTING_FIELDS, type LocaleField, type SettingField } from '~/models/campaign-fields'
import type { CampaignSettings, CampaignSnapshot, EditableCampaign } from '~/models/editable-campaign.server'
import { LOCALES, type Locale, type MessageKey } from '~/utils/i18n'

// ---------------------------------------------------------------------------------------------
// What is missing

export type MissingKey = MessageKey

/** What must be filled in (in the base locale) before the campaign can go live; empty when complete. */
export function missingForPublishing(campaign: EditableCampaign, now = new Date()): MissingKey[] {
  const base = campaign.content[campaign.baseLocale] ?? emptyContent()
  const missing: MissingKey[] = []
  if (!base.title.trim()) missing.push('admin.missing.title')
  if (!base.summary.trim()) missing.push('admin.missing.summary')
  if (!base.story.trim()) missing.push('admin.missing.story')
  if (!base.target_name.trim()) missing.push('admin.missing.targetName')
  if (!base.demand.trim()) missing.push('admin.missing.demand')
  if (!(campaign.settings.signature_goal > 0)) missing.push('admin.missing.goal')
  if (campaign.settings.closes_at && new Date(campaign.settings.closes_at) <= now) missing.push('admin.missing.closesInPast')
  if (campaign.image && !base.hero_image_alt.trim()) missing.push('admin.missing.imageAlt')
  if (campaign.milestones.some((m) => !m.descriptions[campaign.baseLocale]?.trim())) missing.push('admin.missing.milestoneText')
  return missing
}

const FIELD_LABELS: Record<LocaleField, MessageKey> = {
  title: 'admin.field.title',
  summary: 'admin.field.summary',
  story: 'admin.field.story',
  target_name: 'admin.field.targetName',
  target_role: 'admin.field.targetRole',
  demand: 'admin.field.demand',
  hero_image_alt: 'admin.field.heroImageAlt',
  consent_updates_text: 'admin.field.consentUpdatesText',
  consent_show_name_text: 'admin.field.consentShowNameText',
}

/**
 * Per other locale, the texts the base locale has and that locale lacks. A translation shows on
 * the public page only once its title, summary, story, target and demand are all there.
 */
export function missingTranslations(campaign: EditableCampaign): Partial<Record<Locale, MessageKey[]>> {
  const base = campaign.content[campaign.baseLocale] ?? emptyContent()
  const result: Partial<Record<Locale, MessageKey[]>> = {}
  for (const locale of LOCALES) {
    if (locale === campaign.baseLocale) continue
    const translation = campaign.content[locale] ?? emptyContent()
    const missing: MessageKey[] = []
    for (const field of LOCALE_FIELDS) {
      if (field === 'hero_image_alt' && !campaign.image) continue
      if (base[field].trim() && !translation[field].trim()) missing.push(FIELD_LABELS[field])
    }
    if (campaign.milestones.some((m) => m.descriptions[campaign.baseLocale]?.trim() && !m.descriptions[locale]?.trim())) {
      missing.push('admin.field.milestones')
    }
    result[locale] = missing
  }
  return result
}

// ---------------------------------------------------------------------------------------------
// What changed

export type ChangeField = LocaleField | SettingField | 'milestones' | 'image'

export interface CampaignChange {
  field: ChangeField
  locale: Locale | null
  before: unknown
  after: unknown
}

export const CHANGE_LABELS: Record<ChangeField, MessageKey> = {
  ...FIELD_LABELS,
  slug: 'admin.field.slug',
  signature_goal: 'admin.field.signatureGoal',
  closes_at: 'admin.field.closesAt',
  show_recent_signers: 'admin.field.showRecentSigners',
  donation_currency: 'admin.field.donationCurrency',
  donation_presets: 'admin.field.donationPresets',
  show_donation_totals: 'admin.field.showDonationTotals',
  milestone_updates: 'admin.field.milestoneUpdates',
  milestones: 'admin.field.milestones',
  image: 'admin.field.heroImage',
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

// Revisions saved before a setting existed lack it: they are read as its default.
const SETTING_DEFAULTS: Partial<CampaignSettings> = { milestone_updates: false }

/** The fields that differ between two snapshots, settings first, then each locale's texts. */
export function diffSnapshots(before: CampaignSnapshot, after: CampaignSnapshot): CampaignChange[] {
  const changes: CampaignChange[] = []
  for (const field of SETTING_FIELDS) {
    const a = before.settings[field] ?? SETTING_DEFAULTS[field]
    const b = after.settings[field] ?? SETTING_DEFAULTS[field]
    if (!same(a, b)) changes.push({ field, locale: null, before: a, after: b })
  }
  for (const locale of LOCALES) {
    const a = before.content[locale] ?? emptyContent()
    const b = after.content[locale] ?? emptyContent()
    for (const field of LOCALE_FIELDS) {
      if (a[field] !== b[field]) changes.push({ field, locale, before: a[field], after: b[field] })
    }
  }
  const milestones = (s: CampaignSnapshot) =>
    s.milestones.map((m) => ({ threshold: m.threshold, descriptions: Object.fromEntries(LOCALES.map((l) => [l, m.descriptions[l] ?? ''])) }))
  if (!same(milestones(before), milestones(after))) {
    changes.push({ field: 'milestones', locale: null, before: milestones(before), after: milestones(after) })
  }
  if (before.image !== after.image) changes.push({ field: 'image', locale: null, before: before.image, after: after.image })
  return changes
}

const shorten = (value: unknown) => (typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}…` : value)

/** The audit log's "what changed": long texts cut short (their full history is in campaign_revisions). */
export function auditChanges(changes: CampaignChange[]) {
  return Object.fromEntries(changes.map((c) => [c.locale ? `${c.field}.${c.locale}` : c.field, { from: shorten(c.before), to: shorten(c.after) }]))
}
