import { z } from 'zod'
import { INVALIDATION_REASONS, SIGNATURE_STATES } from '#db/types'

// The supporters list's inputs, shared by the server and the page (no server code here).

/** Names and addresses are sealed (decision 0040): only a whole address can be found, through its blind index. */
const WHOLE_ADDRESS = /^[^\s@]{1,200}@[^\s@]{1,200}\.[^\s@]{2,63}$/

export const idSchema = z.string().regex(/^[1-9][0-9]{0,17}$/)

/** The list's query string: search, state filter and a keyset cursor (older than `after`, or newer than `before`). */
export const SupporterListQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .max(200, 'admin.supporters.error.searchTooLong')
    .refine((v) => v === '' || WHOLE_ADDRESS.test(v), 'admin.supporters.error.searchNotAddress')
    .optional()
    .transform((v) => v || undefined),
  state: z
    .enum(SIGNATURE_STATES)
    .optional()
    .or(z.literal('').transform(() => undefined)),
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

/** Owners only: everything held for the signature's address, downloaded (its own resource route). */
export const ExportSupporterSchema = z.object({ intent: z.literal('export'), signatureId: idSchema })

/** Owners only: everything held for the signature's address, erased; like removal, the second press. */
export const EraseSupporterSchema = z.object({
  intent: z.literal('erase'),
  signatureId: idSchema,
  confirm: z.literal('yes', { errorMap: () => ({ message: 'admin.supporters.error.confirmErasure' }) }),
})

/** The intents only owners may send. */
export const OWNER_INTENTS = ['erase'] as const

export const SupporterActionSchema = z.discriminatedUnion('intent', [InvalidateSignatureSchema, RemoveSignatureSchema, EraseSupporterSchema])
