import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { buildSenderVerificationEmail } from '~/models/organisation.server'
import { sendEmail } from '~/utils/email.server'

const Payload = z.object({ organisationId: z.string(), token: z.string(), locale: z.string() })

export const sendSenderVerification: Task = async (payload, helpers) => {
  const { organisationId, token, locale } = Payload.parse(payload)
  const email = await buildSenderVerificationEmail(organisationId, token, locale)
  if (!email) return // confirmed, changed or replaced since: nothing to send
  await sendEmail(email, { idempotencyKey: `sender-verification/${helpers.job.id}` })
}
