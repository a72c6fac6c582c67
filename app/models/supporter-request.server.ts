import { recordAudit, type AuditActor } from '~/models/audit.server'
import { open } from '~/models/data-key.server'
import { idSchema } from '~/models/supporter-schema'
import { collectSupporterData, eraseSupporterData, type ErasureCounts, type SupporterData } from '~/models/supporter-data.server'
import { getDb } from '~/utils/db.server'

// An organisation's owner answers a supporter's request from the supporters list (decision 0045):
// everything the organisation holds for the address of one signature, exported or erased. Both
// are audited with numbers, never the address.

type OrganiserActor = AuditActor & { user: { id: string }; organisation: { id: string } }

export type SupporterRequestOutcome<T> = { status: 'done'; value: T } | { status: 'not-found' } | { status: 'already-erased' }

/** The address a signature of this campaign (and organisation) was made with, opened; null when unknown or erased. */
async function addressOf(organisationId: string, campaignId: string, signatureId: string) {
  if (!idSchema.safeParse(signatureId).success) return { status: 'not-found' } as const
  const row = await getDb()
    .selectFrom('signatures as s')
    .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
    .select(['s.email', 's.contact_erased_at'])
    .where('s.id', '=', signatureId)
    .where('s.campaign_id', '=', campaignId)
    .where('c.organisation_id', '=', organisationId)
    .executeTakeFirst()
  if (!row) return { status: 'not-found' } as const
  if (row.contact_erased_at || !row.email) return { status: 'already-erased' } as const
  return { status: 'found', email: await open(row.email) } as const
}

/** Everything the organisation holds for the address of this signature, as the supporter would download it from /my-data. */
export async function exportSupporterOf(
  actor: OrganiserActor,
  campaignId: string,
  signatureId: string,
): Promise<SupporterRequestOutcome<{ email: string } & SupporterData>> {
  const found = await addressOf(actor.organisation.id, campaignId, signatureId)
  if (found.status !== 'found') return found
  const data = await collectSupporterData(found.email, getDb(), actor.organisation.id)
  await recordAudit(getDb(), actor, {
    action: 'supporter.exported',
    subjectType: 'signature',
    subjectId: signatureId,
    changes: { campaignId, signatures: data.signatures.length, gifts: data.gifts.length },
  })
  return { status: 'done', value: { email: found.email, ...data } }
}

/** Erases every trace of the address of this signature within the organisation (the erasure /my-data uses), audited. */
export async function eraseSupporterOf(actor: OrganiserActor, campaignId: string, signatureId: string): Promise<SupporterRequestOutcome<ErasureCounts>> {
  const found = await addressOf(actor.organisation.id, campaignId, signatureId)
  if (found.status !== 'found') return found
  return { status: 'done', value: await eraseSupporterData(found.email, actor, actor.organisation.id) }
}
