import { z } from 'zod'
import { DONATION_FREQUENCIES } from '#db/types'
import { parseMajorAmount } from '~/utils/money'
import { cleanName, hasForbiddenNameCharacters } from '~/utils/text'

// Shared by the server and the browser (hints as you type); the server is the authority.
// Messages are translation keys, so errors show in the reader's language.

export const OTHER_AMOUNT = 'other'

export interface DonationRules {
  currency: string
  /** Preset amounts in minor units. */
  presets: number[]
  minMinor: number
  maxMinor: number
}

const built = new Map<string, ReturnType<typeof buildDonateSchema>>()

/**
 * The donate form: a preset (its minor units) or "other" with an amount typed in major units.
 * Two parts joined, so the amount is checked (and its error shown) even when the donor's details
 * have errors too. Built once per set of rules (a campaign's currency, presets and bounds), so a
 * busy donate page does not build it, and its form coercion, for every donation.
 */
export function donateSchema(rules: DonationRules) {
  const key = `${rules.currency}|${rules.presets.join(',')}|${rules.minMinor}|${rules.maxMinor}`
  let schema = built.get(key)
  if (!schema) {
    if (built.size >= 200) built.clear()
    schema = buildDonateSchema(rules)
    built.set(key, schema)
  }
  return schema
}

function buildDonateSchema(rules: DonationRules) {
  const details = z.object({
    frequency: z.enum(DONATION_FREQUENCIES, {
      errorMap: () => ({ message: 'donate.error.frequencyRequired' }),
    }),
    // The sign form's name rules (decision 0015): the length first, then cleanName (NFC, no
    // bidirectional controls or invisibles), then no control characters, separators or Zalgo runs.
    name: z
      .string({ required_error: 'donate.error.nameRequired' })
      .max(1000, 'donate.error.nameTooLong')
      .transform(cleanName)
      .pipe(
        z
          .string()
          .min(1, 'donate.error.nameRequired')
          .max(100, 'donate.error.nameTooLong')
          .refine((value) => !hasForbiddenNameCharacters(value), 'donate.error.nameInvalid'),
      ),
    email: z
      .string({ required_error: 'donate.error.emailRequired' })
      .trim()
      .toLowerCase()
      .min(1, 'donate.error.emailRequired')
      .max(254, 'donate.error.emailTooLong')
      .email('donate.error.emailInvalid'),
  })
  const amount = z
    .object({
      amount: z.string({ required_error: 'donate.error.amountRequired' }).trim().min(1, 'donate.error.amountRequired'),
      otherAmount: z.string().trim().max(30, 'donate.error.amountInvalid').optional(),
    })
    .transform((value, ctx) => {
      let amountMinor: number | null
      let path: 'amount' | 'otherAmount' = 'amount'
      if (value.amount === OTHER_AMOUNT) {
        path = 'otherAmount'
        if (!value.otherAmount) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message: 'donate.error.otherRequired' })
          return z.NEVER
        }
        amountMinor = parseMajorAmount(value.otherAmount, rules.currency)
      } else {
        // A preset's value is its minor units; only the configured presets are accepted.
        const preset = /^\d{1,12}$/.test(value.amount) ? Number(value.amount) : null
        amountMinor = preset !== null && rules.presets.includes(preset) ? preset : null
      }
      if (amountMinor === null || amountMinor <= 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message: 'donate.error.amountInvalid' })
        return z.NEVER
      }
      if (amountMinor < rules.minMinor) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message: 'donate.error.amountTooSmall' })
        return z.NEVER
      }
      if (amountMinor > rules.maxMinor) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message: 'donate.error.amountTooLarge' })
        return z.NEVER
      }
      return { amountMinor }
    })
  return z.intersection(details, amount)
}

export type DonateInput = { frequency: (typeof DONATION_FREQUENCIES)[number]; amountMinor: number; name: string; email: string }
