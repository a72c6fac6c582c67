import { minorToInput, parseMajorAmount } from '~/utils/money'

// A campaign's fields and the rules on their values that the editor's form shares with the server.

/** Texts that exist once per locale. The base locale's live on `campaigns`, the others' on `campaign_translations`. */
export const LOCALE_FIELDS = [
  'title',
  'summary',
  'story',
  'target_name',
  'target_role',
  'demand',
  'hero_image_alt',
  'consent_updates_text',
  'consent_show_name_text',
] as const
export type LocaleField = (typeof LOCALE_FIELDS)[number]
export type LocaleContent = Record<LocaleField, string>

export const SETTING_FIELDS = [
  'slug',
  'signature_goal',
  'closes_at',
  'show_recent_signers',
  'donation_currency',
  'donation_presets',
  'show_donation_totals',
  'milestone_updates',
] as const
export type SettingField = (typeof SETTING_FIELDS)[number]

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
export const SLUG_MAX = 80
export const DEFAULT_SIGNATURE_GOAL = 1000
/** Currencies offered in the editor; null (the organisation's) is offered beside them. */
export const DONATION_CURRENCIES = ['EUR', 'GBP', 'USD', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'CAD', 'AUD', 'JPY'] as const

export const emptyContent = (): LocaleContent => Object.fromEntries(LOCALE_FIELDS.map((f) => [f, ''])) as LocaleContent

/** A slug from a title: Cyrillic transliterated, everything else not a letter or digit a hyphen. */
export function slugify(title: string): string {
  const map: Record<string, string> = {
    а: 'a',
    б: 'b',
    в: 'v',
    г: 'g',
    д: 'd',
    е: 'e',
    ё: 'e',
    ж: 'zh',
    з: 'z',
    и: 'i',
    й: 'y',
    к: 'k',
    л: 'l',
    м: 'm',
    н: 'n',
    о: 'o',
    п: 'p',
    р: 'r',
    с: 's',
    т: 't',
    у: 'u',
    ф: 'f',
    х: 'kh',
    ц: 'ts',
    ч: 'ch',
    ш: 'sh',
    щ: 'shch',
    ъ: '',
    ы: 'y',
    ь: '',
    э: 'e',
    ю: 'yu',
    я: 'ya',
  }
  const slug = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[а-яё]/g, (ch) => map[ch] ?? '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  return slug || 'campaign'
}

/** "5, 10, 25.50" in major units of the currency → minor units; null when an amount is not valid. */
export function parsePresetList(text: string, currency: string): number[] | null {
  const parts = text
    .split(/[\s;,]+/)
    .map((p) => p.trim())
    .filter(Boolean)
  const amounts: number[] = []
  for (const part of parts) {
    const minor = parseMajorAmount(part, currency)
    if (minor === null || minor <= 0 || minor > 100_000_000) return null
    amounts.push(minor)
  }
  return [...new Set(amounts)].sort((a, b) => a - b)
}

export function formatPresetList(presets: number[] | null, currency: string): string {
  return (presets ?? []).map((p) => minorToInput(p, currency)).join(', ')
}
