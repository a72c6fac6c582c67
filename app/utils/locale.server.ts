import { DEFAULT_LOCALE, isLocale, localeFromAcceptLanguage, type Locale } from '~/utils/i18n'

export const LOCALE_COOKIE = 'chorus_lang'

/**
 * The locale of a request: `?lang=` in the URL wins, then the switcher's cookie,
 * then the Accept-Language header, then English.
 */
export function getLocale(request: Request): Locale {
  return resolveLocale(
    new URL(request.url).searchParams.get('lang'),
    readCookie(request.headers.get('Cookie'), LOCALE_COOKIE) ?? null,
    request.headers.get('Accept-Language'),
  )
}

/** getLocale's rule from its three inputs (the page cache resolves a locale without a Request). */
export function resolveLocale(fromUrl: string | null, fromCookie: string | null, acceptLanguage: string | null): Locale {
  if (isLocale(fromUrl)) return fromUrl
  if (isLocale(fromCookie)) return fromCookie
  return localeFromAcceptLanguage(acceptLanguage) ?? DEFAULT_LOCALE
}

/** When the URL chose a locale, remember it for the pages that follow. */
export function localeCookieHeader(request: Request, secure: boolean): string | undefined {
  const fromUrl = new URL(request.url).searchParams.get('lang')
  if (!isLocale(fromUrl)) return undefined
  if (readCookie(request.headers.get('Cookie'), LOCALE_COOKIE) === fromUrl) return undefined
  return `${LOCALE_COOKIE}=${fromUrl}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly${secure ? '; Secure' : ''}`
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return undefined
}
