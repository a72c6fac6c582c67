import { z } from 'zod'
import { HOLD_REASONS } from '#db/types'

// The review's filter: which signatures a bulk release or invalidation touches.
// Shared by the page (its form) and the model (its SQL). Messages are translation keys.

export const INTEGRITY_WINDOWS = ['1h', '24h', '7d', 'all'] as const
export type IntegrityWindow = (typeof INTEGRITY_WINDOWS)[number]
export const INTEGRITY_FILTER_STATES = ['held', 'pending', 'confirmed', 'any'] as const
/** Length of a client address fingerprint: the first bytes of its keyed hash, in hex. */
export const FINGERPRINT_HEX_LENGTH = 10

const emptyToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value)

export const IntegrityFilterSchema = z.object({
  reason: z.preprocess(emptyToUndefined, z.enum(HOLD_REASONS).optional()),
  domain: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .max(253, 'admin.integrity.error.domain')
      .regex(/^[a-z0-9.-]+$/, 'admin.integrity.error.domain')
      .optional(),
  ),
  address: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(new RegExp(`^[0-9a-f]{${FINGERPRINT_HEX_LENGTH}}$`), 'admin.integrity.error.address')
      .optional(),
  ),
  window: z.preprocess(emptyToUndefined, z.enum(INTEGRITY_WINDOWS).default('all')),
  source: z.preprocess(emptyToUndefined, z.string().trim().toLowerCase().max(100).optional()),
  state: z.preprocess(emptyToUndefined, z.enum(INTEGRITY_FILTER_STATES).default('held')),
})
export type IntegrityFilter = z.infer<typeof IntegrityFilterSchema>

/** A filter pinned at preview time: the window's start and the newest row seen become fixed. */
export const PinnedFilterSchema = IntegrityFilterSchema.extend({
  since: z.preprocess(emptyToUndefined, z.string().datetime().optional()),
  upToId: z.string().regex(/^[0-9]{1,18}$/),
})
export type PinnedFilter = z.infer<typeof PinnedFilterSchema>

export const IntegrityActionKindSchema = z.enum(['release', 'invalidate'])
export type IntegrityActionKind = z.infer<typeof IntegrityActionKindSchema>

export const IntegritySettingsSchema = z.object({
  domainLimit: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int('admin.integrity.error.limit').min(1, 'admin.integrity.error.limit').max(100_000, 'admin.integrity.error.limit').optional(),
  ),
  addressLimit: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int('admin.integrity.error.limit').min(1, 'admin.integrity.error.limit').max(100_000, 'admin.integrity.error.limit').optional(),
  ),
  holdDisposable: z.enum(['default', 'on', 'off']).default('default'),
})
