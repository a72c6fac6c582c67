import crypto from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database, NewCampaign, NewSignature } from '#db/types'
import { emailIndex, sealerFor } from '~/models/data-key.server'

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
    await db
      .insertInto('campaign_translations')
      .values({ campaign_id: campaign.id, locale, ...content })
      .execute()
  }
  return campaign
}

/**
 * A signature stored as the app stores one (name, address and postcode sealed, the address's
 * blind index); returned with its details opened, as the app reads them.
 */
export async function createSignature(db: Kysely<Database>, values: Partial<NewSignature> & { campaign_id: string }) {
  const id = unique()
  const email = values.email ?? `signer-${id}@example.org`
  const fullName = values.full_name ?? 'Ada Signer'
  const postcode = values.postcode ?? null
  const campaign = await db.selectFrom('campaigns').select('organisation_id').where('id', '=', String(values.campaign_id)).executeTakeFirstOrThrow()
  const seal = await sealerFor(campaign.organisation_id, db)
  const row = await db
    .insertInto('signatures')
    .values({
      country: 'GB',
      consent_version: 'test',
      email_domain: email.slice(email.lastIndexOf('@') + 1).toLowerCase(),
      ...values,
      full_name: seal(fullName),
      email: seal(email),
      email_index: values.email_index ?? (email ? await emailIndex(email, db) : ''),
      postcode: postcode === null ? null : seal(postcode),
      confirmed_at: values.confirmed_at ?? (values.state === 'confirmed' ? sql`now()` : null),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { ...row, full_name: fullName, email, postcode }
}

export const uniqueEmail = (prefix = 'supporter') => `${prefix}-${unique()}@example.org`
