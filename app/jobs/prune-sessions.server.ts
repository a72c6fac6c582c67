import { pruneEndedSessions } from '~/models/session.server'
import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'

/** Nightly: forgets sessions and sign-in links that ended more than a week ago. */
export const pruneSessions = defineJob('prune-sessions', NoPayloadSchema, async (_payload, helpers) => {
  const pruned = await pruneEndedSessions()
  helpers.logger.info(`pruned ${pruned.sessions} sessions and ${pruned.signInTokens} sign-in links`)
})
