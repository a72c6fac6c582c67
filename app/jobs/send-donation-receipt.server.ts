import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { buildDonationReceipt } from '~/models/donation-receipt.server'
import { sendEmail } from '~/utils/email.server'

const Payload = z.object({ paymentId: z.string() })

/** One receipt per recorded payment; the idempotency key keeps a retried job from sending twice. */
export const sendDonationReceipt: Task = async (payload) => {
  const { paymentId } = Payload.parse(payload)
  const email = await buildDonationReceipt(paymentId)
  if (!email) return
  await sendEmail(email, { idempotencyKey: `donation-receipt/${paymentId}` })
}
