import { z } from 'zod'
import { hasLineBreak } from '~/utils/text'
import { DONATION_CURRENCIES, parsePresetList, SLUG_MAX, SLUG_PATTERN } from '~/models/campaign-fields'
import { isSupportedCurrency } from '~/utils/money'

// The campaign editor's fields (its route: admin.campaigns.$campaignId.edit.tsx), kept out of the
// route module so that nothing the browser bundle keeps refers to server-only code.

const tooLong = (max: number) => `admin.edit.error.tooLong:${max}`
const text = (max: number) => z.string().trim().max(max, tooLong(max)).optional().default('')

type EditorContext = { organisationCurrency: string; hasImage: boolean; isBase: boolean }

/** Built once per context: a handful of currencies times two booleans. */
const built = new Map<string, ReturnType<typeof buildEditorSchema>>()

/** The editor's fields, checked against the campaign's context (its currency, its image, the locale). */
export function campaignEditorSchema(context: EditorContext) {
  const key = `${context.organisationCurrency}/${context.hasImage}/${context.isBase}`
  let schema = built.get(key)
  if (!schema) {
    schema = buildEditorSchema({ ...context })
    // The organisation's currency is one it was allowed to choose; the bound is a safeguard.
    if (built.size >= 256) built.clear()
    built.set(key, schema)
  }
  return schema
}

function buildEditorSchema(context: EditorContext) {
  return z
    .object({
      version: z.number({ required_error: 'admin.edit.error.version', invalid_type_error: 'admin.edit.error.version' }).int().min(1),
      // In the subject of every confirmation email: no line breaks.
      title: text(200).refine((value) => !hasLineBreak(value), 'admin.new.error.titleLineBreak'),
      summary: text(500),
      story: text(20_000),
      targetName: text(200),
      targetRole: text(200),
      demand: text(1000),
      heroImageAlt: text(300),
      consentUpdatesText: text(300),
      consentShowNameText: text(300),
      slug: z
        .string({ required_error: 'admin.edit.error.slugRequired' })
        .trim()
        .max(SLUG_MAX, 'admin.edit.error.slugTooLong')
        .regex(SLUG_PATTERN, 'admin.edit.error.slugFormat'),
      signatureGoal: z
        .number({ required_error: 'admin.edit.error.goalRequired', invalid_type_error: 'admin.edit.error.goalNumber' })
        .int('admin.edit.error.goalNumber')
        .min(1, 'admin.edit.error.goalNumber')
        .max(100_000_000, 'admin.edit.error.goalNumber'),
      closesAt: z
        .string()
        .trim()
        .refine((value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) && !Number.isNaN(Date.parse(`${value}Z`)), 'admin.edit.error.closesAt')
        .optional(),
      showRecentSigners: z.boolean().optional().default(false),
      showDonationTotals: z.boolean().optional().default(false),
      milestoneUpdates: z.boolean().optional().default(false),
      donationCurrency: z
        .string()
        .refine((value) => (DONATION_CURRENCIES as readonly string[]).includes(value) && isSupportedCurrency(value), 'admin.edit.error.currency')
        .optional(),
      donationPresets: z.string().trim().max(200, 'admin.edit.error.presets').optional(),
      milestones: z
        .array(
          z
            .object({
              threshold: z
                .number({ invalid_type_error: 'admin.edit.error.milestoneThreshold' })
                .int('admin.edit.error.milestoneThreshold')
                .min(1, 'admin.edit.error.milestoneThreshold')
                .max(100_000_000, 'admin.edit.error.milestoneThreshold')
                .optional(),
              description: text(300),
            })
            .refine((m) => m.threshold !== undefined || !m.description, {
              path: ['threshold'],
              message: 'admin.edit.error.milestoneThreshold',
            })
            .optional(),
        )
        .max(50)
        .superRefine((list, ctx) => {
          const seen = new Set<number>()
          list.forEach((m, i) => {
            if (m?.threshold === undefined) return
            if (seen.has(m.threshold)) {
              ctx.addIssue({ code: 'custom', path: [i, 'threshold'], message: 'admin.edit.error.milestoneDuplicate' })
            }
            seen.add(m.threshold)
          })
        })
        .optional()
        .default([]),
      heroImage: z.any().optional(),
      removeImage: z.boolean().optional().default(false),
    })
    .superRefine((value, ctx) => {
      const currency = value.donationCurrency ?? context.organisationCurrency
      if (value.donationPresets && parsePresetList(value.donationPresets, currency) === null) {
        ctx.addIssue({ code: 'custom', path: ['donationPresets'], message: 'admin.edit.error.presets' })
      }
      const uploading = value.heroImage instanceof Blob && value.heroImage.size > 0
      const keepsImage = context.hasImage && !value.removeImage
      if ((uploading || (context.isBase && keepsImage)) && !value.heroImageAlt) {
        ctx.addIssue({ code: 'custom', path: ['heroImageAlt'], message: 'admin.edit.error.imageAlt' })
      }
    })
}
