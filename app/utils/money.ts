// Money is handled in integer minor units of its currency (cents, kopecks; yen have none), never floats.
// Shared by the server and the browser (the donate form's own validation).

/**
 * Currencies Stripe charges without a minor unit: amounts are whole yen, won, etc.
 * https://docs.stripe.com/currencies#zero-decimal
 */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'])
/** Three-decimal currencies need amounts rounded to tens for Stripe: not offered for donations. */
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND'])

export function isSupportedCurrency(currency: string): boolean {
  if (!/^[A-Z]{3}$/.test(currency) || THREE_DECIMAL.has(currency)) return false
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency })
    return true
  } catch {
    return false
  }
}

/** How many digits the minor unit has, as Stripe counts them: 0 for JPY, 2 for EUR. */
export function minorUnitDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2
}

export function minorPerMajor(currency: string): number {
  return 10 ** minorUnitDigits(currency)
}

/** A whole number of major units (or a decimal bound from the environment) in minor units. */
export function majorToMinor(major: number, currency: string): number {
  return Math.round(major * minorPerMajor(currency))
}

/**
 * Reads an amount typed in major units ("25", "25.50", "1,000", "25,5", "1 000,50") as minor units.
 * Null when it is not a plain non-negative amount or has more decimals than the currency allows.
 */
export function parseMajorAmount(input: string, currency: string): number | null {
  const digits = minorUnitDigits(currency)
  const text = input.replace(/[\s\u00a0\u202f']/g, '')
  let whole: string
  let fraction = ''
  const grouped = text.match(/^(\d{1,3}(?:([.,])\d{3})+)(?:([.,])(\d+))?$/)
  const decimal = text.match(/^(\d*)([.,])(\d+)$/)
  if (/^\d+$/.test(text)) {
    whole = text
  } else if (grouped && grouped[3] !== grouped[2]) {
    // "5.555" is five thousand in much of Europe and five and a bit elsewhere: since this is
    // money, it is refused rather than guessed. "1,000", "1.000,50" and "1.000.000" are not ambiguous.
    const groups = grouped[1]!.split(grouped[2]!).length - 1
    if (grouped[2] === '.' && groups === 1 && grouped[3] === undefined) return null
    whole = grouped[1]!.replace(/[.,]/g, '')
    fraction = grouped[4] ?? ''
  } else if (decimal) {
    whole = decimal[1]!
    fraction = decimal[3]!
  } else {
    return null
  }
  fraction = fraction.replace(/0+$/, '')
  if (fraction.length > digits) return null
  const minor = Number(whole || '0') * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0')
  return Number.isSafeInteger(minor) ? minor : null
}

/** The amount in major units as a plain string for a form field: 2550 EUR → "25.50", 1000 JPY → "1000". */
export function minorToInput(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency)
  if (digits === 0) return String(minor)
  const factor = 10 ** digits
  const whole = Math.floor(minor / factor)
  const rest = minor % factor
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(digits, '0')}`
}

const formats = new Map<string, Intl.NumberFormat>()

/** "€25", "€25.50", "¥1,000", "25,50 €" (ru): whole amounts without ",00". */
export function formatMoney(locale: string, minor: number, currency: string): string {
  const digits = minorUnitDigits(currency)
  const factor = 10 ** digits
  const whole = minor % factor === 0
  const key = `${locale}:${currency}:${whole}`
  let format = formats.get(key)
  if (!format) {
    format = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: whole ? 0 : digits,
      maximumFractionDigits: digits,
    })
    formats.set(key, format)
  }
  return format.format(minor / factor)
}
