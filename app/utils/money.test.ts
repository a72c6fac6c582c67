import { describe, expect, it } from 'vitest'
import { formatMoney, isSupportedCurrency, minorToInput, minorUnitDigits, parseMajorAmount } from './money'

describe('money', () => {
  it('reads amounts typed in major units as integer minor units', () => {
    expect(parseMajorAmount('25', 'EUR')).toBe(2500)
    expect(parseMajorAmount('25.5', 'EUR')).toBe(2550)
    expect(parseMajorAmount('25,50', 'EUR')).toBe(2550)
    expect(parseMajorAmount(' 1 000,50 ', 'EUR')).toBe(100050)
    expect(parseMajorAmount('1,000.50', 'EUR')).toBe(100050)
    expect(parseMajorAmount('1.000,50', 'EUR')).toBe(100050)
    expect(parseMajorAmount('1,000', 'EUR')).toBe(100000)
    expect(parseMajorAmount('1.000.000', 'EUR')).toBe(100000000)
    expect(parseMajorAmount('0.1', 'EUR')).toBe(10)
    // Floats would make 0.29 * 100 = 28.999...; integer arithmetic does not.
    expect(parseMajorAmount('0.29', 'EUR')).toBe(29)
  })

  it('refuses what is not a plain amount, too precise, or ambiguous', () => {
    for (const input of ['', 'abc', '-5', '1e3', '5.555', '2.505', '1.2.3,4,5', '25.', '.', '12.50.1x']) {
      expect(parseMajorAmount(input, 'EUR'), input).toBeNull()
    }
  })

  it('handles currencies without a minor unit (JPY, KRW)', () => {
    expect(minorUnitDigits('JPY')).toBe(0)
    expect(minorUnitDigits('EUR')).toBe(2)
    expect(parseMajorAmount('1500', 'JPY')).toBe(1500)
    expect(parseMajorAmount('1,500', 'JPY')).toBe(1500)
    expect(parseMajorAmount('10.5', 'JPY')).toBeNull()
    expect(parseMajorAmount('10.0', 'JPY')).toBe(10)
    expect(formatMoney('en', 1500, 'JPY')).toBe('¥1,500')
    expect(minorToInput(1500, 'JPY')).toBe('1500')
  })

  it('formats whole amounts without decimals and others with them', () => {
    expect(formatMoney('en', 2500, 'EUR')).toBe('€25')
    expect(formatMoney('en', 2550, 'EUR')).toBe('€25.50')
    expect(formatMoney('ru', 2550, 'EUR').replace(/\s/g, ' ')).toBe('25,50 €')
    expect(minorToInput(2505, 'EUR')).toBe('25.05')
    expect(minorToInput(2500, 'EUR')).toBe('25')
  })

  it('offers only currencies Stripe can charge simply', () => {
    expect(isSupportedCurrency('EUR')).toBe(true)
    expect(isSupportedCurrency('JPY')).toBe(true)
    expect(isSupportedCurrency('KWD')).toBe(false)
    expect(isSupportedCurrency('eur')).toBe(false)
  })
})
