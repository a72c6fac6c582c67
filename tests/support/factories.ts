import crypto from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database, NewCampaign, NewSignature } from '#db/types'

let sequence = 0
const unique = () => `${Date.now().toString(36)}${(++sequence).toString(36)}${crypto.randomBytes(2).toString('hex')}`

/** Factories build valid rows with one call; a test states only what it cares about. */
export async function createOrganisation(db: Kysely<Database>, values: Partial<{ name: string; slug: string }> = {}) {
  const id = unique()
  return await db
    .insertInto('organisations')
    .values({ slug: values.slug ?? `org-${id}`, name: values.name ?? `Organisation ${id}` })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function createCampaign(
  db: Kysely<Database>,
  values: Partial<NewCampaign> & { translations?: Record<string, { title: string; summary: string; demand: string; target_name: string }> } = {},
) {
  const { translations, ...rest } = values
  const organisationId = rest.organisation_id ?? (await createOrganisation(db)).id
  const id = unique()
  const campaign = await db
    .insertInto('campaigns')
    .values({
      organisation_id: organisationId,
      slug: `campaign-${id}`,
      title: `Free the defenders ${id}`,
      summary: 'Call on the authorities to act now.',
      story: 'The authorities **must** act.\n\n- one\n- two',
      target_name: 'The Minister of Justice',
      target_role: 'Ministry of Justice',
      demand: 'Release every detained defender.',
      signature_goal: 100,
      status: 'live',
      ...rest,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  for (const [locale, content] of Object.entries(translations ?? {})) {
    await db.insertInto('campaign_translations').values({ campaign_id: campaign.id, locale, ...content }).execute()
  }
  return campaign
}

export async function createSignature(db: Kysely<Database>, values: Partial<NewSignature> & { campaign_id: string }) {
  const id = unique()
  const email = values.email ?? `signer-${id}@example.org`
  return await db
    .insertInto('signatures')
    .values({
      full_name: 'Ada Signer',
      email,
      canonical_email: email,
      country: 'GB',
      consent_version: 'test',
      email_domain: email.slice(email.lastIndexOf('@') + 1).toLowerCase(),
      ...values,
      confirmed_at: values.confirmed_at ?? (values.state === 'confirmed' ? sql`now()` : null),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export const uniqueEmail = (prefix = 'supporter') => `${prefix}-${unique()}@example.org`
