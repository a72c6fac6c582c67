import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { queueEmail, type OutboxTemplate } from '~/models/email-outbox.server'
import { getDb } from '~/utils/db.server'

// Before the outbox (decision 0025) each email was its own job. Jobs queued by the previous
// release are moved into the outbox as they run; remove after one release.
const LEGACY_TEMPLATES: Record<string, OutboxTemplate> = {
  'send-signature-confirmation': 'signature-confirmation',
  'send-already-signed': 'already-signed',
  'send-signature-thanks': 'signature-thanks',
  'send-sign-in-link': 'sign-in-link',
  'send-invitation': 'invitation',
  'send-donation-receipt': 'donation-receipt',
}

export const LEGACY_EMAIL_TASKS = Object.keys(LEGACY_TEMPLATES)

const Payload = z.record(z.string())

export const moveLegacyEmailJob: Task = async (payload, helpers) => {
  const template = LEGACY_TEMPLATES[helpers.job.task_identifier]
  const values = Payload.safeParse(payload)
  if (!template || !values.success) return
  await queueEmail(getDb(), {
    template,
    payload: values.data,
    locale: values.data.locale ?? 'en',
    signatureId: values.data.signatureId ?? null,
    idempotencyKey: `legacy-job/${helpers.job.id}`,
  })
}
