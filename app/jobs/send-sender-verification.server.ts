import { z } from 'zod'
import { queueEmail } from '~/models/email-outbox.server'
import { getDb } from '~/utils/db.server'
import { defineJob } from '~/jobs/define-job.server'

export const SendSenderVerificationPayloadSchema = z.object({ organisationId: z.string(), token: z.string(), locale: z.string() })

/** Moves the verification email into the outbox (decision 0025); it is rendered when sent. */
export const sendSenderVerification = defineJob(
  'send-sender-verification',
  SendSenderVerificationPayloadSchema,
  async ({ organisationId, token, locale }, helpers) => {
    await queueEmail(getDb(), {
      template: 'sender-verification',
      payload: { organisationId, token, locale },
      locale,
      idempotencyKey: `sender-verification/${helpers.job.id}`,
    })
  },
)
