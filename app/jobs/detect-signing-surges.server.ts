import { detectSigningSurges } from '~/models/integrity.server'
import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'

/** Every minute: attack mode on for campaigns signing far above their usual rate, off when it falls back. */
export const detectSigningSurgesJob = defineJob('detect-signing-surges', NoPayloadSchema, async (_payload, helpers) => {
  const changes = await detectSigningSurges()
  for (const c of changes) {
    helpers.logger.info(
      `attack mode ${c.started ? 'started' : 'ended'} on campaign ${c.campaignId} (${c.recentRate.toFixed(1)}/min, usually ${c.usualRate.toFixed(2)}/min)`,
    )
  }
})
