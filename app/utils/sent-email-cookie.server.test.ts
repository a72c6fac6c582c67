import { describe, expect, it } from 'vitest'
import { signedCookie } from '~/utils/cookies.server'
import { readSentEmail, sentEmailCookieHeader } from '~/utils/sent-email-cookie.server'

const valueOf = (header: string) => header.split(';')[0]!
/** What the browser can read of it: the sealed bytes. */
const payloadOf = (header: string) => Buffer.from(valueOf(header).split('=')[1]!, 'base64url').toString('latin1')

describe('the sent-email cookie', () => {
  it('reads back what it was given, for its own campaign only', async () => {
    const header = await sentEmailCookieHeader('save-the-owls', { campaignId: '42', email: 'ada@example.org', signatureId: '1234' })
    expect(await readSentEmail('42', valueOf(header))).toEqual({ campaignId: '42', email: 'ada@example.org', signatureId: '1234' })
    expect(await readSentEmail('43', valueOf(header))).toBeNull()
    const repeat = await sentEmailCookieHeader('save-the-owls', { campaignId: '42', email: 'ada@example.org', signatureId: null })
    expect(await readSentEmail('42', valueOf(repeat))).toEqual({ campaignId: '42', email: 'ada@example.org', signatureId: null })
  })

  it('does not tell a new signature from a repeated one, even to the browser holding it', async () => {
    const created = await sentEmailCookieHeader('save-the-owls', { campaignId: '42', email: 'ada@example.org', signatureId: '7' })
    const repeated = await sentEmailCookieHeader('save-the-owls', { campaignId: '42', email: 'ada@example.org', signatureId: null })
    expect(payloadOf(created).length).toBe(payloadOf(repeated).length)
    for (const header of [created, repeated]) expect(payloadOf(header)).not.toMatch(/ada@example\.org|"s"|null/)
  })

  it('is set httpOnly and SameSite=Strict for an hour, on the campaign’s pages below its own', async () => {
    const header = await sentEmailCookieHeader('save-the-owls', { campaignId: '42', email: 'ada@example.org', signatureId: '7' })
    const [pair, ...attributes] = header.split('; ')
    expect(pair).toMatch(/^chorus_sent=[\w-]+$/)
    expect(attributes.filter((attribute) => !attribute.startsWith('Expires='))).toEqual([
      'Max-Age=3600',
      'Path=/campaigns/save-the-owls/',
      'HttpOnly',
      'SameSite=Strict',
    ])
    const expires = Date.parse(attributes.find((attribute) => attribute.startsWith('Expires='))!.slice('Expires='.length))
    expect(Math.abs(expires - (Date.now() + 3600_000))).toBeLessThan(5_000)
  })

  it('still reads a cookie set before, signed as a Remix cookie around the same sealed value', async () => {
    const header = await sentEmailCookieHeader('save-the-owls', { campaignId: '42', email: 'ada@example.org', signatureId: '7' })
    const legacy = await signedCookie('chorus_sent', 'sent-email-cookie', { httpOnly: true, sameSite: 'strict' })().serialize(valueOf(header).split('=')[1]!)
    expect(valueOf(legacy)).not.toBe(valueOf(header))
    expect(await readSentEmail('42', `other=1; ${valueOf(legacy)}`)).toEqual({ campaignId: '42', email: 'ada@example.org', signatureId: '7' })
  })

  it('refuses a cookie that was tampered with', async () => {
    const header = await sentEmailCookieHeader('save-the-owls', { campaignId: '42', email: 'ada@example.org', signatureId: '7' })
    const [name, ...rest] = valueOf(header).split('=')
    const value = decodeURIComponent(rest.join('='))
    // Change one character of the payload to another base64 character: never to the one it was.
    const changed = value[10] === 'A' ? 'B' : 'A'
    const tampered = `${name}=${encodeURIComponent(`${value.slice(0, 10)}${changed}${value.slice(11)}`)}`
    expect(await readSentEmail('42', tampered)).toBeNull()
  })
})
