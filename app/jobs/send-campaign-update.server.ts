import { z } from 'zod'
import { runUpdateFanOut } from '~/models/campaign-update-send.server'
import { defineJob } from '~/jobs/define-job.server'

export const SendCampaignUpdatePayloadSchema = z.object({ updateId: z.string().regex(/^\d+$/) })

/**
 * Writes an update's audience into the outbox (decisions 0010, 0025), once, in one transaction;
 * the outbox's sender sends it behind every transactional email.
 */
export const sendCampaignUpdate = defineJob('send-campaign-update', SendCampaignUpdatePayloadSchema, async ({ updateId }) => {
  await runUpdateFanOut(updateId)
})
