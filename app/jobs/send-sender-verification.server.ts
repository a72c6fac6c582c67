import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { queueEmail } from '~/models/email-outbox.server'
import { getDb } from '~/utils/db.server'

const Payload = z.object({ organisationId: z.string(), token: z.string(), locale: z.string() })

/** Moves the verification email into the outbox (decision 0025); it is rendered when sent. */
export const sendSenderVerification: Task = async (payload, helpers) => {
  const { organisationId, token, locale } = Payload.parse(payload)
  await queueEmail(getDb(), {
    template: 'sender-verification',
    payload: { organisationId, token, locale },
    locale,
    idempotencyKey: `sender-verification/${helpers.job.id}`,
  })
}
