import { describe, expect, it } from 'vitest'
import { donateSchema } from './donation-schema'

const rules = { currency: 'EUR', presets: [500, 1000, 2500], minMinor: 100, maxMinor: 1_000_000 }

describe('donateSchema', () => {
  it('is built once for a set of rules and again for other rules', () => {
    expect(donateSchema({ ...rules, presets: [...rules.presets] })).toBe(donateSchema(rules))
    expect(donateSchema({ ...rules, currency: 'GBP' })).not.toBe(donateSchema(rules))
    expect(donateSchema({ ...rules, maxMinor: 5000 })).not.toBe(donateSchema(rules))
  })

  it('holds each set of rules to its own bounds', () => {
    const details = { frequency: 'one_off', name: 'Ada', email: 'ada@example.org' }
    expect(donateSchema(rules).safeParse({ ...details, amount: 'other', otherAmount: '60' }).success).toBe(true)
    expect(donateSchema({ ...rules, maxMinor: 5000 }).safeParse({ ...details, amount: 'other', otherAmount: '60' }).success).toBe(false)
  })
})
