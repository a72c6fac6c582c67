import { en, type MessageKey } from '~/locales/en'
import { ru } from '~/locales/ru'

export const LOCALES = ['en', 'ru'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'en'

export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ru: 'Русский' }

const catalogues: Record<Locale, Record<string, string>> = { en, ru }

export type { MessageKey }
export type TranslateVars = Record<string, string | number>
export interface Translate {
  (key: MessageKey, vars?: TranslateVars): string
  /** A message held as a string (a zod or Conform error): translated when it is a key, else shown as it is. */
  message(message: string, vars?: TranslateVars): string
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/**
 * Looks a message up in the locale's catalogue, falling back to English.
 * With a numeric `count`, a plural form `key#one|few|many|other` is chosen by the locale's rules.
 */
export function translate(locale: Locale, key: MessageKey, vars: TranslateVars = {}): string {
  const catalogue = catalogues[locale] ?? en
  let message: string | undefined
  if (typeof vars.count === 'number') {
    const form = cached(pluralRules, locale, () => new Intl.PluralRules(locale)).select(vars.count)
    message = catalogue[`${key}#${form}`] ?? catalogue[`${key}#other`]
  }
  message ??= catalogue[key] ?? (en as Record<string, string>)[key] ?? key
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name]
    if (value === undefined) return whole
    return typeof value === 'number' ? formatNumber(locale, value) : value
  })
}

/** A message key carried as data (an action's error for the page to show); a typo does not compile. */
export function messageKey<const Key extends MessageKey>(key: Key): Key {
  return key
}

/**
 * Whether a string received at run time (a zod or Conform error, a code in a row) is a message
 * key. Keys built in code need no check: a template literal of typed parts is checked by `t`.
 */
export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && Object.hasOwn(en, value)
}

/** Translates a message held as a string: a key is translated, anything else is shown as it is. */
export function translateMessage(locale: Locale, message: string, vars?: TranslateVars): string {
  return isMessageKey(message) ? translate(locale, message, vars) : message
}

export function makeTranslator(locale: Locale): Translate {
  const t = (key: MessageKey, vars?: TranslateVars) => translate(locale, key, vars)
  return Object.assign(t, { message: (message: string, vars?: TranslateVars) => translateMessage(locale, message, vars) })
}

// Intl objects are costly to build and safe to share: one per locale (and style).
const numberFormats = new Map<string, Intl.NumberFormat>()
const pluralRules = new Map<string, Intl.PluralRules>()
const dateFormats = new Map<string, Intl.DateTimeFormat>()

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key)
  if (!value) cache.set(key, (value = make()))
  return value
}

export function formatNumber(locale: Locale, value: number): string {
  return cached(numberFormats, locale, () => new Intl.NumberFormat(locale)).format(value)
}

export function formatDate(locale: Locale, value: Date | string, style: 'long' | 'medium' = 'long'): string {
  return cached(dateFormats, `${locale}:${style}`, () => new Intl.DateTimeFormat(locale, { dateStyle: style, timeZone: 'UTC' })).format(
    new Date(value),
  )
}

/** Picks the best supported locale from an Accept-Language header. */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale | undefined {
  if (!header) return undefined
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';')
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
      return { tag: (tag ?? '').toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 }
    })
    .filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q)
  for (const { tag } of ranked) {
    const base = tag.split('-')[0]
    if (isLocale(base)) return base
  }
  return undefined
}

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>()

/** "3 minutes ago", "2 days ago", in the locale's words, from `then` to `now`. */
export function timeAgo(locale: Locale, then: Date | string, now: Date | string = new Date()): string {
  const seconds = Math.max(0, Math.round((new Date(now).getTime() - new Date(then).getTime()) / 1000))
  const format = cached(relativeFormats, locale, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }))
  if (seconds < 45) return format.format(0, 'second')
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return format.format(-minutes, 'minute')
  const hours = Math.round(minutes / 60)
  if (hours < 24) return format.format(-hours, 'hour')
  const days = Math.round(hours / 24)
  if (days < 30) return format.format(-days, 'day')
  const months = Math.round(days / 30)
  if (months < 12) return format.format(-months, 'month')
  return format.format(-Math.round(days / 365), 'year')
}
