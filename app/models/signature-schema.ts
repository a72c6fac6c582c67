import { z } from 'zod'

// Shared by the server and the browser (client-side hints); the server is the authority.
// Messages are translation keys, so errors show in the reader's language.
const URL_LIKE = /(https?:\/\/|www\.|[a-z0-9-]+\.(com|net|org|ru|io|info|biz|xyz|top|ly)\b)/i

const trackingField = z
  .string()
  .trim()
  .transform((value) => value.slice(0, 100))
  .optional()

export const SignCampaignSchema = z.object({
  fullName: z
    .string({ required_error: 'sign.error.nameRequired' })
    .trim()
    .min(1, 'sign.error.nameRequired')
    .max(100, 'sign.error.nameTooLong')
    .refine((value) => !URL_LIKE.test(value), 'sign.error.nameUrl')
    .refine((value) => !/^[=+\-@]/.test(value), 'sign.error.nameFormula')
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'sign.error.nameInvalid'),
  email: z
    .string({ required_error: 'sign.error.emailRequired' })
    .trim()
    .toLowerCase()
    .min(1, 'sign.error.emailRequired')
    .max(254, 'sign.error.emailTooLong')
    .email('sign.error.emailInvalid'),
  country: z
    .string({ required_error: 'sign.error.countryRequired' })
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'sign.error.countryRequired'),
  postcode: z
    .string()
    .trim()
    .max(16, 'sign.error.postcodeTooLong')
    .regex(/^[\p{L}\p{N} -]*$/u, 'sign.error.postcodeInvalid')
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
