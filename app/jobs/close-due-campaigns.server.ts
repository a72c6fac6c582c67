import { closeDueCampaigns as closeDue } from '~/models/campaign-publishing.server'
import { logger } from '~/utils/logger.server'
import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'

/**
 * Every minute: live campaigns whose closing date has passed are closed. Signing already stops at
 * the closing date (campaignPhase); this makes the status, lists and audit log say so too.
 */
export const closeDueCampaigns = defineJob('close-due-campaigns', NoPayloadSchema, async () => {
  const closed = await closeDue()
  if (closed.length) logger.info({ campaignIds: closed }, 'campaigns closed at their closing date')
})
