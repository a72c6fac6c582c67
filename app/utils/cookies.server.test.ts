import { describe, expect, it } from 'vitest'
import { resetEnv } from '~/utils/env.server'
import { donorCookieHeader, donorSignatureId, localeCookie, secureCookies } from '~/utils/cookies.server'

const pairOf = (header: string) => header.split('; ')[0]!
const attributesOf = (header: string) => header.split('; ').slice(1).sort()

describe('a plain-token cookie (the language)', () => {
  it('keeps the bare value on the wire, with its attributes', async () => {
    const header = await localeCookie.serialize('ru')
    expect(pairOf(header)).toBe('chorus_lang=ru')
    expect(attributesOf(header)).toEqual(['HttpOnly', 'Max-Age=31536000', 'Path=/', 'SameSite=Lax'])
    expect((await localeCookie.serialize('ru', { secure: true })).split('; ')).toContain('Secure')
  })

  it('reads what browsers already carry, and anything else as absent', async () => {
    expect(await localeCookie.parse('other=1; chorus_lang=ru')).toBe('ru')
    expect(await localeCookie.parse('chorus_lang=ru-RU_2')).toBe('ru-RU_2')
    for (const header of [
      null,
      '',
      'other=ru',
      'chorus_lang=',
      'chorus_lang=%22ru%22',
      'chorus_lang=r%20u',
      'chorus_lang=eyJydSI6MX0%3D',
      `chorus_lang=${'a'.repeat(201)}`,
    ]) {
      expect(await localeCookie.parse(header)).toBeNull()
    }
  })

  it('refuses to write anything but one URL-safe token', async () => {
    await expect(localeCookie.serialize('ru; Path=/admin')).rejects.toThrow(TypeError)
    await expect(localeCookie.serialize({ locale: 'ru' })).rejects.toThrow(TypeError)
  })
})

describe('the donor cookie', () => {
  const now = Date.parse('2026-12-01T12:00:00Z')

  it('names the signature for an hour on the campaign’s pages only', async () => {
    const header = await donorCookieHeader('1234', 'save the owls', now)
    expect(pairOf(header)).toMatch(/^chorus_donor=[\w.%-]+$/)
    expect(attributesOf(header)).toEqual(['HttpOnly', 'Max-Age=3600', 'Path=/campaigns/save%20the%20owls', 'SameSite=Lax'])
    expect(await donorSignatureId(`other=1; ${pairOf(header)}`, now)).toBe('1234')
    expect(await donorSignatureId(pairOf(header), now + 59 * 60 * 1000)).toBe('1234')
  })

  it('names nothing once expired, altered, absent or in the old format', async () => {
    const pair = pairOf(await donorCookieHeader('1234', 'owls', now))
    expect(await donorSignatureId(pair, now + 61 * 60 * 1000)).toBeNull()
    const value = decodeURIComponent(pair.slice('chorus_donor='.length))
    const [payload, signature] = [value.slice(0, value.lastIndexOf('.')), value.slice(value.lastIndexOf('.') + 1)]
    const forged = btoa(JSON.stringify({ s: '999', x: JSON.parse(atob(payload)).x }))
    expect(await donorSignatureId(`chorus_donor=${encodeURIComponent(`${forged}.${signature}`)}`, now)).toBeNull()
    expect(await donorSignatureId(`chorus_donor=${encodeURIComponent(`${payload}.${signature.slice(1)}`)}`, now)).toBeNull()
    expect(await donorSignatureId(null, now)).toBeNull()
    expect(await donorSignatureId('chorus_donor=', now)).toBeNull()
    expect(await donorSignatureId('chorus_donor=1234.1796126400.c2lnbmF0dXJl', now)).toBeNull()
  })

  it('is Secure when the site is served over https', async () => {
    const before = process.env.APP_URL
    process.env.APP_URL = 'https://chorus.example.org'
    resetEnv()
    try {
      expect(secureCookies()).toBe(true)
      expect((await donorCookieHeader('1', 'owls', now)).split('; ')).toContain('Secure')
    } finally {
      process.env.APP_URL = before
      resetEnv()
    }
  })
})
