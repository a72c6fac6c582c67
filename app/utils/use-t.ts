import { useRouteLoaderData } from '@remix-run/react'
import { useMemo } from 'react'
import { DEFAULT_LOCALE, isLocale, makeTranslator, type Locale, type Translate } from '~/utils/i18n'

export function useLocale(): Locale {
  const data = useRouteLoaderData<{ locale: string }>('root')
  return isLocale(data?.locale) ? data.locale : DEFAULT_LOCALE
}

/** The translator for the current page's locale. */
export function useT(): Translate {
  const locale = useLocale()
  return useMemo(() => makeTranslator(locale), [locale])
}
