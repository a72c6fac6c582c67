import { describe, expect, it } from 'vitest'
import { donateSchema } from '~/models/donation-schema'
import { parseRecordSignature } from '~/models/osdi-signature.server'
import { SignCampaignServerSchema } from '~/models/signature.server'

// One set of name rules (app/utils/text.ts) on every form that takes a person's name:
// the sign form, the donate form and the OSDI API's person.

const rules = { currency: 'GBP', presets: [500], minMinor: 100, maxMinor: 100_000 }
const donate = (name: string) => donateSchema(rules).safeParse({ frequency: 'one_off', name, email: 'ada@example.org', amount: '500' })
const osdi = (given_name: string, family_name = 'Lovelace') =>
  parseRecordSignature(
    { person: { given_name, family_name, email_addresses: [{ address: 'ada@example.org' }], postal_addresses: [{ country: 'GB' }] } },
    { prefix: 'abc' },
    'en',
  )
const sign = (fullName: string) => SignCampaignServerSchema.safeParse({ fullName, email: 'ada@example.org', country: 'GB' })

const nameOf = {
  donate: (name: string) => {
    const result = donate(name)
    return result.success ? result.data.name : result.error.issues.map((issue) => issue.message)
  },
  osdi: (name: string) => {
    const result = osdi(name)
    return result.ok ? result.input.fullName : result.errors.map((error) => error.code)
  },
  sign: (name: string) => {
    const result = sign(name)
    return result.success ? result.data.fullName : result.error.issues.map((issue) => issue.message)
  },
}

describe.each(Object.entries(nameOf))('the %s form keeps names as the sign form does', (form, nameFrom) => {
  const suffix = form === 'osdi' ? ' Lovelace' : ''
  it('strips bidirectional overrides and invisibles and normalises to NFC', () => {
    expect(nameFrom('\u202eAda\u2066\u200b')).toBe(`Ada${suffix}`)
    expect(nameFrom('Zoe\u0301')).toBe(`Zoé${suffix}`)
  })

  it('refuses line and paragraph separators, controls and runs of combining marks', () => {
    for (const bad of ['Ada\u2028Lovelace', 'Ada\u2029Lovelace', 'Ada\u0007', 'Z' + '\u0301\u0302\u0303\u0304\u0305\u0306']) {
      const answer = nameFrom(bad)
      expect(Array.isArray(answer), JSON.stringify(bad)).toBe(true)
    }
  })

  it('refuses a name that is only invisible characters as missing', () => {
    if (form === 'osdi') return // the family name is still there
    expect(nameFrom('\u200b\u202e\u2060')).toEqual([`${form === 'donate' ? 'donate' : 'sign'}.error.nameRequired`])
  })
})
