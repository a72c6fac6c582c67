import { z } from 'zod'
import { DELIVERY_METHODS } from '#db/types'
import { LOCALES } from '~/utils/i18n'

// Forms of the Deliver page (decision 0013). Messages are translation keys.

const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean())

export const BuildPackSchema = z.object({
  intent: z.literal('build'),
  locale: z.enum(LOCALES, { errorMap: () => ({ message: 'delivery.error.locale' }) }),
})

function isRealDate(value: string) {
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
}

export const RecordDeliverySchema = z.object({
  intent: z.literal('record'),
  deliveredOn: z
    .string({ required_error: 'delivery.error.date' })
    .max(100, 'delivery.error.date')
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'delivery.error.date')
    // Only a well-formed date goes further (a pipe runs only on a clean first stage).
    .pipe(
      z
        .string()
        .refine(isRealDate, 'delivery.error.date')
        // A day ahead of UTC at most: someone east of Greenwich may already be on tomorrow's date.
        .refine((v) => new Date(`${v}T00:00:00Z`).getTime() <= Date.now() + 86_400_000, 'delivery.error.dateFuture')
        .refine((v) => v >= '2000-01-01', 'delivery.error.date'),
    ),
  recipient: z.string({ required_error: 'delivery.error.recipient' }).trim().min(1, 'delivery.error.recipient').max(300, 'delivery.error.recipientTooLong'),
  method: z.enum(DELIVERY_METHODS, { errorMap: () => ({ message: 'delivery.error.method' }) }),
  notes: z.string().trim().max(2000, 'delivery.error.notesTooLong').default(''),
  packId: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'delivery.error.pack')
    .optional(),
  notify: checkbox.default(false),
})

export type RecordDeliveryInput = z.infer<typeof RecordDeliverySchema>
