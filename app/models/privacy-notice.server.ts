import { listSignatureReaders } from '~/models/api-key.server'
import { getRetentionPolicy, type RetentionPolicy } from '~/models/retention-policy.server'
import { ADDRESS_HASH_DAYS } from '~/models/signature.server'
import { getDb, type Executor } from '~/utils/db.server'

// What the privacy notice beside an organisation's sign forms says (decision 0047). It is read
// from the same settings the erasure job and the OSDI API obey, so the notice cannot drift from
// what Chorus does.

export interface PrivacyNotice {
  retention: RetentionPolicy
  /** Days a signature keeps its keyed client-address hash (the same for every organisation). */
  addressHashDays: number
  /** The organisation's systems that may read signatures, by the names its owners gave them. */
  readers: { name: string; crmSync: boolean }[]
}

export async function getPrivacyNotice(organisationId: string, executor: Executor = getDb()): Promise<PrivacyNotice> {
  const [retention, readers] = await Promise.all([getRetentionPolicy(organisationId, executor), listSignatureReaders(organisationId, executor)])
  return { retention, addressHashDays: ADDRESS_HASH_DAYS, readers }
}
