import { en } from '~/locales/en'
import { ru } from '~/locales/ru'
import { translateWith, translatorWith, type Locale, type MessageKey, type Messages, type Translate, type TranslateVars } from '~/utils/i18n'

const catalogues: Record<Locale, Messages> = { en, ru }

/** Translates with the locale's full catalogue, falling back to English. */
export function translate(locale: Locale, key: MessageKey, vars: TranslateVars = {}): string {
  return translateWith(catalogues[locale] ?? en, locale, key, vars, en)
}

export function makeTranslator(locale: Locale): Translate {
  return translatorWith(catalogues[locale] ?? en, locale, en)
}

/** Whether a string received at run time (a code in a row, a URL parameter) is a message key. */
export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && Object.hasOwn(en, value)
}

/**
 * The message groups a public page may show (the campaign journey, donations, the pages a link
 * in an email opens). Everything else belongs to the workspace and reaches the browser only
 * under /admin (decision 0037).
 */
const PUBLIC_PREFIXES = [
  'site.',
  'nav.',
  'footer.',
  'home.',
  'campaign.',
  'sign.',
  'check.',
  'thanks.',
  'share.',
  'confirm.',
  'error.',
  'timeline.',
  'donate.',
  'donateThanks.',
  'donations.',
  'manage.',
  'privacy.',
  'myData.',
  'unsubscribe.',
  'verify.',
  'mailbox.',
  'myData.',
  'reach.campaign.',
  'reach.progress.',
  'reach.sign.',
  'reach.thanks.',
  'reach.share.',
  'reach.check.',
  'reach.embed.',
] as const

export function isPublicMessageKey(key: string): boolean {
  return PUBLIC_PREFIXES.some((prefix) => key.startsWith(prefix))
}

const split = new Map<string, Messages>()

function pick(locale: Locale, area: 'public' | 'workspace'): Messages {
  const cacheKey = `${locale}:${area}`
  let messages = split.get(cacheKey)
  if (!messages) {
    // English fills any gap, so the browser never needs a second catalogue.
    const merged: Record<string, string> = { ...en, ...catalogues[locale] }
    messages = Object.fromEntries(Object.entries(merged).filter(([key]) => isPublicMessageKey(key) === (area === 'public')))
    split.set(cacheKey, messages)
  }
  return messages
}

/** The messages every page's browser code may use: the public ones, in one language. */
export function publicMessages(locale: Locale): Messages {
  return pick(locale, 'public')
}

/** The workspace's messages, added by the /admin layout on top of the public ones. */
export function workspaceMessages(locale: Locale): Messages {
  return pick(locale, 'workspace')
}
