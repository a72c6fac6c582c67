import type { Task } from 'graphile-worker'
import { resumeStalledUpdateSends } from '~/models/campaign-update-send.server'

/** Every minute: an update whose sender died mid-way gets a fresh job (decision 0010). */
export const resumeUpdateSends: Task = async () => {
  await resumeStalledUpdateSends()
}
