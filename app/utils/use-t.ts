import { useRouteLoaderData } from '@remix-run/react'
import { useMemo } from 'react'
import { DEFAULT_LOCALE, isLocale, makeTranslator, type Locale, type Translate, type TranslateVars } from '~/utils/i18n'

export function useLocale(): Locale {
  const data = useRouteLoaderData<{ locale: string }>('root')
  return isLocale(data?.locale) ? data.locale : DEFAULT_LOCALE
}

/** The translator for the current page's locale. */
export function useT(): Translate {
  const locale = useLocale()
  return useMemo(() => makeTranslator(locale), [locale])
}

/**
 * Translates a message held as a string: the errors zod and Conform carry are message keys.
 * Returns undefined for no message, so it reads a field's first error directly.
 */
export function useMessage(vars?: TranslateVars): (message: string | undefined) => string | undefined {
  const t = useT()
  return (message) => (message ? t.message(message, vars) : undefined)
}
