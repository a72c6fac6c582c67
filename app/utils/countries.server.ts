import { createRequire } from 'node:module'
import countries from 'i18n-iso-countries'
import type { Locale } from '~/utils/i18n'

const require = createRequire(import.meta.url)
countries.registerLocale(require('i18n-iso-countries/langs/en.json'))
countries.registerLocale(require('i18n-iso-countries/langs/ru.json'))

export const COUNTRY_CODES: readonly string[] = Object.keys(countries.getAlpha2Codes()).sort()
const codeSet = new Set(COUNTRY_CODES)

export function isCountryCode(code: string): boolean {
  return codeSet.has(code)
}

export interface CountryOption {
  code: string
  name: string
}

const optionsCache = new Map<Locale, CountryOption[]>()

/** ISO 3166 countries with names in the locale, sorted as a reader of that language expects. */
export function countryOptions(locale: Locale): CountryOption[] {
  let options = optionsCache.get(locale)
  if (!options) {
    const collator = new Intl.Collator(locale)
    options = COUNTRY_CODES.map((code) => ({ code, name: countryName(code, locale) })).sort((a, b) => collator.compare(a.name, b.name))
    optionsCache.set(locale, options)
  }
  return options
}

export function countryName(code: string, locale: Locale): string {
  return countries.getName(code, locale, { select: 'official' }) ?? countries.getName(code, 'en') ?? code
}
