import { defineJob } from '~/jobs/define-job.server'
import { createSignInLink, RequestSignInLinkPayload } from '~/models/sign-in.server'

/** Makes and emails the sign-in link that /admin/sign-in asked for, if the address is a member's. */
export const requestSignInLinkJob = defineJob('request-sign-in-link', RequestSignInLinkPayload, async (payload) => {
  await createSignInLink(payload)
})
