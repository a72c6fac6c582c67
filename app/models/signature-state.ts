import { sql } from 'kysely'
import type { SignatureState } from '#db/types'

// Every state a signature can be in, and what each means (decision 0030). A held signature
// behaves for its signer exactly like a pending or confirmed one: it awaits confirmation until
// confirmed_at is set, and has confirmed after. It is counted, packed, published and emailed
// updates only once a reviewer releases it (then it is pending or confirmed again).
// New code asks these helpers instead of testing `state = 'pending'` or `'confirmed'` for the
// signer's point of view; counting, packs, public JSON and updates keep `state = 'confirmed'`.

export interface SignatureStatus {
  state: SignatureState
  confirmed_at: Date | string | null
}

/** The signer has not yet followed the confirmation link (pending, or held and unconfirmed). */
export function awaitsConfirmation(signature: SignatureStatus): boolean {
  return (signature.state === 'pending' || signature.state === 'held') && signature.confirmed_at == null
}

/** The signer has confirmed (confirmed, or held after confirming). */
export function hasConfirmed(signature: SignatureStatus): boolean {
  return signature.state === 'confirmed' || (signature.state === 'held' && signature.confirmed_at != null)
}

/** SQL twins of the helpers above, for a `signatures` row referenced as `alias`. */
export function awaitsConfirmationSql(alias = 'signatures') {
  return sql<boolean>`(${sql.ref(`${alias}.state`)} in ('pending', 'held') and ${sql.ref(`${alias}.confirmed_at`)} is null)`
}

export function hasConfirmedSql(alias = 'signatures') {
  return sql<boolean>`(${sql.ref(`${alias}.state`)} = 'confirmed' or (${sql.ref(`${alias}.state`)} = 'held' and ${sql.ref(`${alias}.confirmed_at`)} is not null))`
}

/** The state a held signature returns to when a reviewer releases it. */
export const RELEASED_STATE_SQL = sql<SignatureState>`(case when confirmed_at is not null then 'confirmed' else 'pending' end)`
