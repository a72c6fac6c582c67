import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { runUpdateFanOut } from '~/models/campaign-update-send.server'

const Payload = z.object({ updateId: z.string().regex(/^\d+$/) })

/**
 * Writes an update's audience into the outbox (decisions 0010, 0025), once, in one transaction;
 * the outbox's sender sends it behind every transactional email.
 */
export const sendCampaignUpdate: Task = async (payload) => {
  const { updateId } = Payload.parse(payload)
  await runUpdateFanOut(updateId)
}
