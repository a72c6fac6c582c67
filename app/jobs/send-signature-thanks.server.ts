import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { buildSignatureEmail } from '~/models/signature-email.server'
import { sendEmail } from '~/utils/email.server'

const Payload = z.object({ signatureId: z.string() })

export const sendSignatureThanks: Task = async (payload, helpers) => {
  const { signatureId } = Payload.parse(payload)
  const email = await buildSignatureEmail('signature-thanks', signatureId)
  if (!email) return
  await sendEmail(email, { idempotencyKey: `signature-thanks/${helpers.job.id}` })
}
