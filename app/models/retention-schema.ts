import { z } from 'zod'
import type { MessageKey } from '~/utils/i18n'

// The workspace's "Data retention" fieldset (decision 0047), shared by its action and the
// browser's checks. The bounds are the database's own checks (migration 20261202100000).

export const RETENTION_BOUNDS = {
  signerMonths: { min: 1, max: 120 },
  unconfirmedDays: { min: 1, max: 365 },
  financialYears: { min: 1, max: 30 },
} as const

/** A whole number within bounds, one clear error when not: the length is checked before the digits. */
function wholeNumber({ min, max }: { min: number; max: number }, message: MessageKey) {
  return z
    .string({ required_error: message, invalid_type_error: message })
    .trim()
    .transform((value, ctx) => {
      const number = value.length <= 4 && /^\d{1,4}$/.test(value) ? Number(value) : NaN
      if (!(number >= min && number <= max)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message })
        return z.NEVER
      }
      return number
    })
}

export const RetentionSettingsSchema = z.object({
  intent: z.literal('retention'),
  signerMonths: wholeNumber(RETENTION_BOUNDS.signerMonths, 'admin.retention.error.signerMonths'),
  unconfirmedDays: wholeNumber(RETENTION_BOUNDS.unconfirmedDays, 'admin.retention.error.unconfirmedDays'),
  financialYears: wholeNumber(RETENTION_BOUNDS.financialYears, 'admin.retention.error.financialYears'),
})
