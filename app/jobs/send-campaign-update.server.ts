import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { runUpdateFanOut } from '~/models/campaign-update-send.server'

const Payload = z.object({ updateId: z.string().regex(/^\d+$/) })

/**
 * Fans an update out to its audience (decision 0010). Resumable: a retry or a fresh job carries
 * on from the first batch not yet recorded. Another sender holding the update: retry later.
 */
export const sendCampaignUpdate: Task = async (payload) => {
  const { updateId } = Payload.parse(payload)
  const outcome = await runUpdateFanOut(updateId)
  if (outcome.status === 'busy') throw new Error(`update ${updateId} is being sent by another worker`)
}
