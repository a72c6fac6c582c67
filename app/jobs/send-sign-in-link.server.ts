import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { buildSignInLinkEmail } from '~/models/sign-in.server'
import { sendEmail } from '~/utils/email.server'

const Payload = z.object({ signInTokenId: z.string(), token: z.string(), locale: z.string() })

export const sendSignInLink: Task = async (payload, helpers) => {
  const { signInTokenId, token, locale } = Payload.parse(payload)
  const email = await buildSignInLinkEmail(signInTokenId, token, locale)
  if (!email) return // used or expired since: nothing to send
  await sendEmail(email, { idempotencyKey: `sign-in-link/${helpers.job.id}` })
}
