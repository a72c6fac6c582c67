import { z } from 'zod'
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

export const SignCampaignSchema = z.object({
  fullName: z
    .string({ required_error: 'sign.error.nameRequired' })
    .max(1000, 'sign.error.nameTooLong')
    .transform(cleanName)
    .pipe(
      z
        .string()
        .min(1, 'sign.error.nameRequired')
        .max(100, 'sign.error.nameTooLong')
        .pipe(
          z
            .string()
            .refine((value) => !hasForbiddenNameCharacters(value), 'sign.error.nameInvalid')
            .refine((value) => !looksLikeUrl(value), 'sign.error.nameUrl')
            .refine((value) => !/^[=+\-@]/.test(value), 'sign.error.nameFormula'),
        ),
    ),
  email: z
    .string({ required_error: 'sign.error.emailRequired' })
    .trim()
    .min(1, 'sign.error.emailRequired')
    .max(254, 'sign.error.emailTooLong')
    .pipe(z.string().toLowerCase().email('sign.error.emailInvalid')),
  country: z
    .string({ required_error: 'sign.error.countryRequired' })
    .max(10, 'sign.error.countryRequired')
    .pipe(
      z
        .string()
        .trim()
        .toUpperCase()
        .regex(/^[A-Z]{2}$/, 'sign.error.countryRequired'),
    ),
  postcode: z
    .string()
    .trim()
    .max(16, 'sign.error.postcodeTooLong')
    .pipe(z.string().regex(/^[\p{L}\p{N} -]*$/u, 'sign.error.postcodeInvalid'))
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
