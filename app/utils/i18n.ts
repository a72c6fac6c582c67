import type { MessageKey } from '~/locales/en'

// This module is shared with the browser, so it holds no catalogue: the server translates with
// the full catalogues (i18n.server.ts) and hands each page only the messages it may show
// (decision 0037), which useT() reads back.

export const LOCALES = ['en', 'ru'] as const
export type Locale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: Locale = 'en'

export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', ru: 'Русский' }

export type { MessageKey }
export type TranslateVars = Record<string, string | number>
export interface Translate {
  (key: MessageKey, vars?: TranslateVars): string
  /** A message held as a string (a zod or Conform error): translated when it is a key, else shown as it is. */
  message(message: string, vars?: TranslateVars): string
}

/** A translator over one catalogue (and a fallback): built keys are checked by the type of `key`. */
export function translatorWith(messages: Messages, locale: Locale, fallback?: Messages): Translate {
  const t = (key: MessageKey, vars?: TranslateVars) => translateWith(messages, locale, key, vars, fallback)
  // The one place a run-time string meets the key type: a missing key is shown as it is.
  return Object.assign(t, { message: (message: string, vars?: TranslateVars) => t(message as MessageKey, vars) })
}

/** A message key carried as data (an action's error for the page to show); a typo does not compile. */
export function messageKey<const Key extends MessageKey>(key: Key): Key {
  return key
}
export type Messages = Readonly<Record<string, string>>

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/**
 * Looks a message up in a catalogue, then in `fallback` (English on the server).
 * With a numeric `count`, a plural form `key#one|few|many|other` is chosen by the locale's rules.
 */
export function translateWith(messages: Messages, locale: Locale, key: MessageKey, vars: TranslateVars = {}, fallback?: Messages): string {
  const form = typeof vars.count === 'number' ? cached(pluralRules, locale, () => new Intl.PluralRules(locale)).select(vars.count) : null
  const find = (catalogue: Messages) => (form ? (catalogue[`${key}#${form}`] ?? catalogue[`${key}#other`]) : undefined) ?? catalogue[key]
  const message = find(messages) ?? (fallback ? find(fallback) : undefined) ?? key
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name]
    if (value === undefined) return whole
    return typeof value === 'number' ? formatNumber(locale, value) : value
  })
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
  return cached(dateFormats, `${locale}:${style}`, () => new Intl.DateTimeFormat(locale, { dateStyle: style, timeZone: 'UTC' })).format(new Date(value))
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
