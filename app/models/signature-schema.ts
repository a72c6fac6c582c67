import { z } from 'zod'
import type { MessageKey } from '~/utils/i18n'
import { cleanName, hasForbiddenNameCharacters, looksLikeUrl } from '~/utils/text'

// Shared by the server and the browser (client-side hints); the server is the authority.
// Messages are translation keys, so errors show in the reader's language.
//
// Every field checks its length first and stops there (a `pipe` runs only on a clean first
// stage): no rule below ever sees more than a field's worth of text (decision 0015).

const trackingField = z
  .string()
  .transform((value) =>
    value
      .slice(0, 1000)
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .trim()
      .slice(0, 100),
  )
  .optional()

/** Zod's own test of an address's form, applied to the trimmed, lower-cased text. */
const emailFormat = z.string().email()

/** One rule's refusal inside a field's step: its message (a translation key) on that field. */
function refuse(ctx: z.RefinementCtx, message: MessageKey): never {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message })
  return z.NEVER
}

// Each field is one step after its first length check: its rules in order, each refusing with
// its own message and stopping where a chain of pipes would (a pipe runs only on a clean first
// stage). The form is parsed on every signature, and each pipe, transform and refinement of a
// chain costs a parse step with its own context and allocations (decision 0050). A value that is
// empty once cleaned is refused with the field's own message: as a chain, the inner string got the
// form's coercion of empty text to "missing" and answered zod's untranslated "Required".
export const SignCampaignSchema = z.object({
  fullName: z
    .string({ required_error: 'sign.error.nameRequired' })
    .max(1000, 'sign.error.nameTooLong')
    .transform((value, ctx) => {
      const name = cleanName(value)
      if (name.length < 1) return refuse(ctx, 'sign.error.nameRequired')
      if (name.length > 100) return refuse(ctx, 'sign.error.nameTooLong')
      // Every one of these that applies is reported, as separate refinements would.
      if (hasForbiddenNameCharacters(name)) refuse(ctx, 'sign.error.nameInvalid')
      if (looksLikeUrl(name)) refuse(ctx, 'sign.error.nameUrl')
      if (/^[=+\-@]/.test(name)) refuse(ctx, 'sign.error.nameFormula')
      return name
    }),
  email: z
    .string({ required_error: 'sign.error.emailRequired' })
    .trim()
    .min(1, 'sign.error.emailRequired')
    .max(254, 'sign.error.emailTooLong')
    .transform((value, ctx) => {
      const email = value.toLowerCase()
      return emailFormat.safeParse(email).success ? email : refuse(ctx, 'sign.error.emailInvalid')
    }),
  country: z
    .string({ required_error: 'sign.error.countryRequired' })
    .max(10, 'sign.error.countryRequired')
    .transform((value, ctx) => {
      const country = value.trim().toUpperCase()
      return /^[A-Z]{2}$/.test(country) ? country : refuse(ctx, 'sign.error.countryRequired')
    }),
  postcode: z
    .string()
    .trim()
    .max(16, 'sign.error.postcodeTooLong')
    .transform((value, ctx) => {
      if (!/^[\p{L}\p{N} -]*$/u.test(value)) return refuse(ctx, 'sign.error.postcodeInvalid')
      return value === '' ? undefined : value
    })
    .optional(),
  consentUpdates: z.literal('on').optional(),
  consentShowName: z.literal('on').optional(),
  // Honeypot: a field people never see; bots fill it in.
  website: z.string().max(200).optional(),
  // Where the signer came from: kept short, and never a reason to refuse a signature.
  source: trackingField,
  utmSource: trackingField,
  utmMedium: trackingField,
  utmCampaign: trackingField,
  // The proof-of-work widget's payload in attack mode (decision 0030); checked by the server only.
  altcha: z.string().max(8000).optional(),
})

export type SignCampaignInput = z.infer<typeof SignCampaignSchema>

/** The check-your-email page's two buttons: send the email again, or send it to a corrected address. */
export const CheckEmailActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('resend') }),
  z.object({ intent: z.literal('correct'), email: SignCampaignSchema.shape.email }),
])
