import { z } from 'zod'
import { BRAND_MIN_CONTRAST, contrastRatio, normaliseHexColour } from '~/utils/colour'
import { hasLineBreak } from '~/utils/text'

// The organisation page's form (decision 0035), shared by its action and the browser's checks.

const optional = (max: number) =>
  z
    .string()
    .trim()
    .max(max, 'reach.org.error.tooLong')
    .optional()
    .transform((v) => (v ? v : null))
// The name and the sender name make the From header: no controls, and no line break of any kind.
const noControl = (v: string | null) => v === null || (!/[\u0000-\u001f\u007f]/.test(v) && !hasLineBreak(v))

export const OrganisationIdentitySchema = z.object({
  intent: z.literal('save'),
  name: z
    .string({ required_error: 'reach.org.error.name' })
    .trim()
    .min(1, 'reach.org.error.name')
    .max(200, 'reach.org.error.tooLong')
    .refine((v) => noControl(v), 'reach.org.error.name'),
  brandColour: optional(7)
    .refine((v) => v === null || normaliseHexColour(v) !== null, 'reach.org.error.colour')
    .transform((v) => (v === null ? null : normaliseHexColour(v)))
    .refine((v) => v === null || contrastRatio(v, '#ffffff') >= BRAND_MIN_CONTRAST, 'reach.org.error.contrast'),
  websiteUrl: optional(500).refine((v) => {
    if (v === null) return true
    try {
      const url = new URL(v)
      return (url.protocol === 'https:' || url.protocol === 'http:') && Boolean(url.hostname)
    } catch {
      return false
    }
  }, 'reach.org.error.website'),
  contactEmail: optional(254).refine((v) => v === null || z.string().email().safeParse(v).success, 'reach.org.error.email'),
  senderName: optional(100).refine(noControl, 'reach.org.error.senderName'),
  senderEmail: optional(254).refine((v) => v === null || z.string().email().safeParse(v).success, 'reach.org.error.email'),
  logo: z.any().optional(),
  removeLogo: z.boolean().optional().default(false),
})
