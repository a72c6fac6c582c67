import { z } from 'zod'
import { normaliseCode } from '~/models/delivery-pack.server'

// The /verify page's query (its route: verify.tsx), kept out of the route module so that
// nothing the browser bundle keeps refers to server-only code.
export const VerifyQuerySchema = z.object({
  code: z
    .string()
    .max(100, 'verify.error.format')
    .transform((v, ctx) => {
      const code = normaliseCode(v)
      if (!code) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'verify.error.format' })
        return z.NEVER
      }
      return code
    }),
})
