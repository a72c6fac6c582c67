import { resumeStalledUpdateSends } from '~/models/campaign-update-send.server'
import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'

/** Every minute: an update whose sender died mid-way gets a fresh job (decision 0010). */
export const resumeUpdateSends = defineJob('resume-update-sends', NoPayloadSchema, async () => {
  await resumeStalledUpdateSends()
})
