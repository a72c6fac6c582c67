import { useRouteLoaderData } from '@remix-run/react'
import { useMemo } from 'react'
import { DEFAULT_LOCALE, isLocale, translatorWith, type Locale, type Messages, type Translate, type TranslateVars } from '~/utils/i18n'

type WithMessages = { locale?: string; messages?: Messages } | undefined

export function useLocale(): Locale {
  const data = useRouteLoaderData<{ locale: string }>('root')
  return isLocale(data?.locale) ? data.locale : DEFAULT_LOCALE
}

/**
 * The page's messages: the public ones from the root loader, and under /admin the workspace's
 * from the admin layout's loader. Nothing else reaches the browser (decision 0037).
 */
export function useMessages(): Messages {
  const root = useRouteLoaderData('root') as WithMessages
  const admin = useRouteLoaderData('routes/admin') as WithMessages
  return useMemo(() => (admin?.messages ? { ...root?.messages, ...admin.messages } : (root?.messages ?? {})), [root?.messages, admin?.messages])
}

/** The translator for the current page's locale. */
export function useT(): Translate {
  const locale = useLocale()
  const messages = useMessages()
  return useMemo(() => translatorWith(messages, locale), [locale, messages])
}

/**
 * Translates a message held as a string: the errors zod and Conform carry are message keys.
 * Returns undefined for no message, so it reads a field's first error directly.
 */
export function useMessage(vars?: TranslateVars): (message: string | undefined) => string | undefined {
  const t = useT()
  return (message) => (message ? t.message(message, vars) : undefined)
}
