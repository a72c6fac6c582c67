import { z } from 'zod'
import { defineJob } from '~/jobs/define-job.server'
import { createSignInLink } from '~/models/sign-in.server'
import { LOCALES } from '~/utils/i18n'

export const RequestSignInLinkPayloadSchema = z.object({
  email: z.string().max(254),
  next: z.string().max(1000).nullable(),
  locale: z.enum(LOCALES),
})

/**
 * Makes and emails the sign-in link that /admin/sign-in asked for, if the address is a member's.
 * The page only queued this job, the same for every address (decision 0015).
 */
export const requestSignInLinkJob = defineJob('request-sign-in-link', RequestSignInLinkPayloadSchema, async (payload) => {
  await createSignInLink(payload)
})
