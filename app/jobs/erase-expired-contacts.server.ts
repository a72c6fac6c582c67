import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'
import { eraseExpiredContacts, pruneExpiredDataRequests } from '~/models/retention.server'

/** Nightly: erases the contact details each organisation's retention settings no longer keep, and spent `/my-data` requests (decision 0045). */
export const eraseExpiredContactsJob = defineJob('erase-expired-contacts', NoPayloadSchema, async (_payload, helpers) => {
  const erased = await eraseExpiredContacts({
    progress: (message, detail) =>
      helpers.logger.info(`${message}: ${detail.erased} ${detail.kind} of organisation ${detail.organisationId} (${detail.total} so far)`),
  })
  for (const [organisationId, counts] of erased) {
    if (counts.signers + counts.unconfirmed + counts.gifts > 0) {
      helpers.logger.info(
        `organisation ${organisationId}: erased ${counts.signers} signers, ${counts.unconfirmed} unconfirmed signatures, ${counts.gifts} gifts`,
      )
    }
  }
  const pruned = await pruneExpiredDataRequests()
  if (pruned > 0) helpers.logger.info(`removed ${pruned} expired data requests`)
})
