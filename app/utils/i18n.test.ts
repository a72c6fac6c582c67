import { describe, expect, it } from 'vitest'
import { en } from '~/locales/en'
import { ru } from '~/locales/ru'
import { localeFromAcceptLanguage } from './i18n'
import { translate } from './i18n.server'
import { getLocale, localeCookieHeader } from './locale.server'

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('the catalogues', () => {
  it('translate every English message into Russian with the same placeholders', () => {
    for (const [key, message] of Object.entries(en)) {
      const base = key.split('#')[0]!
      const russian = (ru as Record<string, string>)[key] ?? (ru as Record<string, string>)[`${base}#other`]
      expect(russian, key).toBeTruthy()
      expect(placeholders(russian!), key).toEqual(placeholders(message))
    }
  })

  it('give Russian the plural forms its grammar needs', () => {
    expect(translate('ru', 'campaign.count', { count: 1 })).not.toBe(translate('ru', 'campaign.count', { count: 3 }))
    expect(translate('ru', 'campaign.count', { count: 3 })).not.toBe(translate('ru', 'campaign.count', { count: 5 }))
    expect(translate('ru', 'campaign.count', { count: 21 })).toBe(translate('ru', 'campaign.count', { count: 1 }).replace('1', '21'))
    expect(translate('en', 'campaign.count', { count: 1 })).toBe('1 person has signed')
    expect(translate('en', 'campaign.count', { count: 12000 })).toBe('12,000 people have signed')
  })

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'campaign.calledOn', { target: 'the Minister' })).toBe('Calling on the Minister')
    expect(translate('en', 'campaign.calledOn')).toBe('Calling on {target}')
  })
})

describe('choosing the locale', () => {
  const request = (url: string, headers: Record<string, string> = {}) => new Request(`http://localhost${url}`, { headers })

  it('prefers ?lang=, then the cookie, then Accept-Language, then English', async () => {
    expect(await getLocale(request('/?lang=ru', { Cookie: 'chorus_lang=en', 'Accept-Language': 'en' }))).toBe('ru')
    expect(await getLocale(request('/', { Cookie: 'other=1; chorus_lang=ru', 'Accept-Language': 'en' }))).toBe('ru')
    expect(await getLocale(request('/', { 'Accept-Language': 'de-DE,ru;q=0.8,en;q=0.5' }))).toBe('ru')
    expect(await getLocale(request('/?lang=xx', { 'Accept-Language': 'fr, de' }))).toBe('en')
  })

  it('parses Accept-Language quality values', () => {
    expect(localeFromAcceptLanguage('en;q=0.3, ru-RU;q=0.9')).toBe('ru')
    expect(localeFromAcceptLanguage('ru;q=0, en')).toBe('en')
    expect(localeFromAcceptLanguage('')).toBeUndefined()
  })

  it('remembers a locale chosen in the URL in an httpOnly, SameSite cookie', async () => {
    const cookie = await localeCookieHeader(request('/?lang=ru'), true)
    expect(cookie).toMatch(/^chorus_lang=ru;/)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Lax')
    expect(cookie).toContain('Secure')
    expect(await localeCookieHeader(request('/?lang=ru'), false)).not.toContain('Secure')
    expect(await localeCookieHeader(request('/?lang=ru', { Cookie: 'chorus_lang=ru' }), false)).toBeUndefined()
    expect(await localeCookieHeader(request('/'), false)).toBeUndefined()
  })
})
