import { describe, expect, it } from 'vitest'
import { readSentEmail, sentEmailCookieHeader } from '~/utils/sent-email-cookie.server'

const valueOf = (header: string) => header.split(';')[0]!
/** What the browser can read of it: the signed cookie's payload, before the signature. */
const payloadOf = (header: string) => {
  const value = decodeURIComponent(valueOf(header).split('=').slice(1).join('='))
  return Buffer.from(value.slice(0, value.lastIndexOf('.')), 'base64').toString('latin1')
}

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
