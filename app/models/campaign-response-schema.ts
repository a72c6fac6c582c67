import { z } from 'zod'

// The responses form, shared by the route's action and the browser (no server code here).

export const RESPONSE_BODY_MAX = 5000
export const RESPONSE_URL_MAX = 2000

const responseId = z.string().regex(/^[1-9][0-9]{0,17}$/)

/** A real calendar date, not later than tomorrow (the authority may be a timezone ahead). */
const respondedOn = z
  .string({ required_error: 'admin.responses.error.date' })
  .max(100, 'admin.responses.error.date')
  .trim()
  .refine((value) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
    const date = new Date(`${value}T00:00:00Z`)
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && value >= '1900-01-01' && date.getTime() <= Date.now() + 86_400_000
  }, 'admin.responses.error.date')

export const ResponseFieldsSchema = z.object({
  respondedOn,
  body: z
    .string({ required_error: 'admin.responses.error.body' })
    .trim()
    .min(1, 'admin.responses.error.body')
    .max(RESPONSE_BODY_MAX, 'admin.responses.error.body'),
  sourceUrl: z
    .string()
    .trim()
    .max(RESPONSE_URL_MAX, 'admin.responses.error.sourceUrl')
    .pipe(
      z.string().refine((value) => {
        try {
          const url = new URL(value)
          return url.protocol === 'https:' && !!url.hostname && !url.username && !url.password
        } catch {
          return false
        }
      }, 'admin.responses.error.sourceUrl'),
    )
    .optional(),
})

export const ResponseActionSchema = z.discriminatedUnion('intent', [
  ResponseFieldsSchema.extend({ intent: z.literal('create') }),
  ResponseFieldsSchema.extend({ intent: z.literal('edit'), responseId }),
  z.object({ intent: z.literal('delete'), responseId }),
  z.object({ intent: z.literal('write-update'), responseId }),
])
