import { z } from 'zod'
import { INVALIDATION_REASONS, SIGNATURE_STATES } from '#db/types'

// The supporters list's inputs, shared by the server and the page (no server code here).

/** Trigram search needs three characters to use its index; shorter terms would read every row. */
export const SEARCH_MIN_LENGTH = 3

export const idSchema = z.string().regex(/^[1-9][0-9]{0,17}$/)

/** The list's query string: search, state filter and a keyset cursor (older than `after`, or newer than `before`). */
export const SupporterListQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .max(200, 'admin.supporters.error.searchTooLong')
    .refine((v) => v === '' || [...v].length >= SEARCH_MIN_LENGTH, 'admin.supporters.error.searchTooShort')
    .optional()
    .transform((v) => v || undefined),
  state: z.enum(SIGNATURE_STATES).optional().or(z.literal('').transform(() => undefined)),
  after: idSchema.optional(),
  before: idSchema.optional(),
})
export type SupporterListQuery = z.infer<typeof SupporterListQuerySchema>

export const InvalidateSignatureSchema = z.object({
  intent: z.literal('invalidate'),
  signatureId: idSchema,
  reason: z.enum(INVALIDATION_REASONS, { errorMap: () => ({ message: 'admin.supporters.error.reasonRequired' }) }),
})

export const RemoveSignatureSchema = z.object({
  intent: z.literal('remove'),
  signatureId: idSchema,
  // The second press: the first only shows what will be removed.
  confirm: z.literal('yes', { errorMap: () => ({ message: 'admin.supporters.error.confirmRemoval' }) }),
})

export const SupporterActionSchema = z.discriminatedUnion('intent', [InvalidateSignatureSchema, RemoveSignatureSchema])
