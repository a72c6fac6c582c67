import type { Task } from 'graphile-worker'
import { pruneEndedSessions } from '~/models/session.server'

/** Nightly: forgets sessions and sign-in links that ended more than a week ago. */
export const pruneSessions: Task = async (_payload, helpers) => {
  const pruned = await pruneEndedSessions()
  helpers.logger.info(`pruned ${pruned.sessions} sessions and ${pruned.signInTokens} sign-in links`)
}
