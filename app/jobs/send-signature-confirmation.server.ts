import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { buildSignatureEmail } from '~/models/signature-email.server'
import { sendEmail } from '~/utils/email.server'

const Payload = z.object({ signatureId: z.string(), token: z.string() })

export const sendSignatureConfirmation: Task = async (payload, helpers) => {
  const { signatureId, token } = Payload.parse(payload)
  const email = await buildSignatureEmail('signature-confirmation', signatureId, token)
  if (!email) return // confirmed or removed since: nothing to do
  await sendEmail(email, { idempotencyKey: `signature-confirmation/${helpers.job.id}` })
}
