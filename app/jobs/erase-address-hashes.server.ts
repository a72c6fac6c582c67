import { defineJob, NoPayloadSchema } from '~/jobs/define-job.server'
import { eraseOldAddressHashes } from '~/models/signature.server'

/** Nightly: erases the client-address hashes of signatures older than 30 days (decision 0015). */
export const eraseAddressHashes = defineJob('erase-address-hashes', NoPayloadSchema, async (_payload, helpers) => {
  const erased = await eraseOldAddressHashes()
  helpers.logger.info(`erased the address hashes of ${erased} signatures`)
})
