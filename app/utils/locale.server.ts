import { localeCookie } from '~/utils/cookies.server'
import { DEFAULT_LOCALE, isLocale, localeFromAcceptLanguage, type Locale } from '~/utils/i18n'

export const LOCALE_COOKIE = localeCookie.name

/**
 * The locale of a request: `?lang=` in the URL wins, then the switcher's cookie,
 * then the Accept-Language header, then English.
 */
export async function getLocale(request: Request): Promise<Locale> {
  return resolveLocale(
    new URL(request.url).searchParams.get('lang'),
    await localeOfCookie(request.headers.get('Cookie')),
    request.headers.get('Accept-Language'),
  )
}

/** The language a Cookie header's switcher cookie names, if any (the page cache reads it without a Request). */
export async function localeOfCookie(cookieHeader: string | null | undefined): Promise<string | null> {
  const value: unknown = await localeCookie.parse(cookieHeader ?? null)
  return typeof value === 'string' ? value : null
}

/** getLocale's rule from its three inputs (the page cache resolves a locale without a Request). */
export function resolveLocale(fromUrl: string | null, fromCookie: string | null, acceptLanguage: string | null): Locale {
  if (isLocale(fromUrl)) return fromUrl
  if (isLocale(fromCookie)) return fromCookie
  return localeFromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE
}

/** When the URL chose a locale, remember it for the pages that follow. */
export async function localeCookieHeader(request: Request, secure: boolean): Promise<string | undefined> {
  const fromUrl = new URL(request.url).searchParams.get('lang')
  if (!isLocale(fromUrl)) return undefined
  if ((await localeOfCookie(request.headers.get('Cookie'))) === fromUrl) return undefined
  return await localeCookie.serialize(fromUrl, { secure })
}
