import type { Task } from 'graphile-worker'
import { createSignInLink, RequestSignInLinkPayload } from '~/models/sign-in.server'

/** Makes and emails the sign-in link that /admin/sign-in asked for, if the address is a member's. */
export const requestSignInLinkJob: Task = async (payload) => {
  await createSignInLink(RequestSignInLinkPayload.parse(payload))
}
