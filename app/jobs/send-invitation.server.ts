import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { buildInvitationEmail } from '~/models/invitation.server'
import { sendEmail } from '~/utils/email.server'

const Payload = z.object({ invitationId: z.string(), token: z.string(), locale: z.string() })

export const sendInvitation: Task = async (payload, helpers) => {
  const { invitationId, token, locale } = Payload.parse(payload)
  const email = await buildInvitationEmail(invitationId, token, locale)
  if (!email) return // accepted, withdrawn or expired since: nothing to send
  await sendEmail(email, { idempotencyKey: `invitation/${helpers.job.id}` })
}
