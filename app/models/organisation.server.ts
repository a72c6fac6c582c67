import { sql } from 'kysely'
import { renderEmail } from '#emails/render'
import { recordAudit, recordSystemAudit, type AuditActor } from '~/models/audit.server'
import type { CheckedImage } from '~/models/campaign-image.server'
import { getDb, type Executor } from '~/utils/db.server'
import type { EmailBrand } from '#emails/layout'
import { getEnv } from '~/utils/env.server'
import type { OutgoingEmail } from '~/utils/email.server'
import { emailFrom, type SenderIdentity } from '~/utils/email-sender.server'
import { isLocale } from '~/utils/i18n'
import { enqueueJob } from '~/jobs/enqueue.server'
import { generateToken, hashToken } from '~/utils/security.server'

// The organisation's own identity (decision 0035).

export interface OrganisationIdentity extends SenderIdentity {
  id: string
  slug: string
  logo: { sha256: string; width: number | null; height: number | null } | null
  brand_colour: string | null
  website_url: string | null
  contact_email: string | null
  sender_verify_sent_at: Date | null
}

/** The path of an organisation's logo: its hash is part of it, so a new logo is a new URL. */
export function organisationLogoPath(organisation: { id: string }, sha256: string): string {
  return `/media/organisation/${organisation.id}/${sha256}`
}

const identityColumns = [
  'id',
  'slug',
  'name',
  'logo_sha256',
  'logo_width',
  'logo_height',
  'brand_colour',
  'website_url',
  'contact_email',
  'sender_name',
  'sender_email',
  'sender_email_verified',
  'sender_verify_sent_at',
] as const

type IdentityRow = {
  id: string
  slug: string
  name: string
  logo_sha256: string | null
  logo_width: number | null
  logo_height: number | null
  brand_colour: string | null
  website_url: string | null
  contact_email: string | null
  sender_name: string | null
  sender_email: string | null
  sender_email_verified: boolean
  sender_verify_sent_at: Date | null
}

function toIdentity(row: IdentityRow): OrganisationIdentity {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    logo: row.logo_sha256 ? { sha256: row.logo_sha256, width: row.logo_width, height: row.logo_height } : null,
    brand_colour: row.brand_colour,
    website_url: row.website_url,
    contact_email: row.contact_email,
    sender_name: row.sender_name,
    sender_email: row.sender_email,
    sender_email_verified: row.sender_email_verified,
    sender_verify_sent_at: row.sender_verify_sent_at,
  }
}

export async function getOrganisationIdentity(organisationId: string, executor: Executor = getDb()): Promise<OrganisationIdentity | null> {
  const row = await executor.selectFrom('organisations').select(identityColumns).where('id', '=', organisationId).executeTakeFirst()
  return row ? toIdentity(row) : null
}

/** How the organisation's emails look: absolute logo URL, brand colour, contact address. */
export function emailBrandOf(organisation: OrganisationIdentity): EmailBrand {
  return {
    logoUrl: organisation.logo ? `${getEnv().APP_URL}${organisationLogoPath(organisation, organisation.logo.sha256)}` : null,
    colour: organisation.brand_colour,
    contactEmail: organisation.contact_email,
  }
}

export interface IdentityInput {
  name: string
  brandColour: string | null
  websiteUrl: string | null
  contactEmail: string | null
  senderName: string | null
  senderEmail: string | null
  /** A new logo, null to remove it, undefined to keep it. */
  logo: CheckedImage | null | undefined
}

/**
 * Saves the organisation's identity. A new (or changed) sender address starts unconfirmed and a
 * confirmation email goes to it; returns whether one was sent.
 */
export async function updateOrganisationIdentity(
  actor: AuditActor & { organisation: { id: string } },
  input: IdentityInput,
  locale: string,
): Promise<{ verificationSent: boolean }> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const before = await tx
        .selectFrom('organisations')
        .select(['name', 'brand_colour', 'website_url', 'contact_email', 'sender_name', 'sender_email', 'logo_sha256'])
        .where('id', '=', actor.organisation.id)
        .forUpdate()
        .executeTakeFirstOrThrow()
      const senderChanged = (before.sender_email ?? null) !== input.senderEmail
      const logo =
        input.logo === undefined
          ? {}
          : input.logo === null
            ? { logo_bytes: null, logo_content_type: null, logo_sha256: null, logo_byte_size: null, logo_width: null, logo_height: null }
            : {
                logo_bytes: input.logo.bytes,
                logo_content_type: input.logo.contentType,
                logo_sha256: input.logo.sha256,
                logo_byte_size: input.logo.bytes.length,
                logo_width: input.logo.width,
                logo_height: input.logo.height,
              }
      await tx
        .updateTable('organisations')
        .set({
          name: input.name,
          brand_colour: input.brandColour,
          website_url: input.websiteUrl,
          contact_email: input.contactEmail,
          sender_name: input.senderName,
          ...logo,
          ...(senderChanged
            ? { sender_email: input.senderEmail, sender_email_verified: false, sender_verify_token_hash: null, sender_verify_sent_at: null }
            : {}),
          updated_at: sql`now()`,
        })
        .where('id', '=', actor.organisation.id)
        .execute()
      const changes: Record<string, unknown> = {}
      const compare = {
        name: input.name,
        brand_colour: input.brandColour,
        website_url: input.websiteUrl,
        contact_email: input.contactEmail,
        sender_name: input.senderName,
        sender_email: input.senderEmail,
      }
      for (const [key, value] of Object.entries(compare)) {
        const old = (before as Record<string, unknown>)[key] ?? null
        if (old !== value) changes[key] = { from: old, to: value }
      }
      if (input.logo !== undefined) changes.logo = { from: before.logo_sha256 ? 'set' : null, to: input.logo ? 'set' : null }
      if (Object.keys(changes).length > 0) {
        await recordAudit(tx, actor, { action: 'organisation.identity_updated', subjectType: 'organisation', subjectId: actor.organisation.id, changes })
      }
      if (senderChanged && input.senderEmail) {
        await startSenderVerification(tx, actor.organisation.id, locale)
        return { verificationSent: true }
      }
      return { verificationSent: false }
    })
}

/** Sends (again) the email that confirms the sender address, with a new link. */
async function startSenderVerification(tx: Executor, organisationId: string, locale: string) {
  const token = generateToken()
  await tx
    .updateTable('organisations')
    .set({ sender_verify_token_hash: hashToken(token), sender_verify_sent_at: sql`now()` })
    .where('id', '=', organisationId)
    .execute()
  await enqueueJob(tx, 'send-sender-verification', { organisationId, token, locale }, { maxAttempts: 10 })
}

/** The confirmation email again, at most once every 5 minutes; false when there is nothing to confirm or it is too soon. */
export async function resendSenderVerification(organisationId: string, locale: string): Promise<boolean> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const row = await tx
        .selectFrom('organisations')
        .select(['sender_email', 'sender_email_verified', sql<boolean>`coalesce(sender_verify_sent_at > now() - interval '5 minutes', false)`.as('recent')])
        .where('id', '=', organisationId)
        .forUpdate()
        .executeTakeFirst()
      if (!row?.sender_email || row.sender_email_verified || row.recent) return false
      await startSenderVerification(tx, organisationId, locale)
      return true
    })
}

/** Confirmation links live for 2 days. */
const VERIFY_DAYS = 2

/** The organisation whose sender address this link confirms (still unconfirmed), or null. */
export async function findSenderVerification(token: string): Promise<{ id: string; name: string; senderEmail: string } | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null
  const row = await getDb()
    .selectFrom('organisations')
    .select(['id', 'name', 'sender_email'])
    .where('sender_verify_token_hash', '=', hashToken(token))
    .where('sender_email_verified', '=', false)
    .where(sql<boolean>`sender_verify_sent_at > now() - make_interval(days => ${VERIFY_DAYS})`)
    .executeTakeFirst()
  return row?.sender_email ? { id: row.id, name: row.name, senderEmail: row.sender_email } : null
}

/** Marks the sender address confirmed; false when the link is unknown, used or expired. */
export async function confirmSenderVerification(token: string): Promise<boolean> {
  const found = await findSenderVerification(token)
  if (!found) return false
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const result = await tx
        .updateTable('organisations')
        .set({ sender_email_verified: true, sender_verify_token_hash: null, updated_at: sql`now()` })
        .where('id', '=', found.id)
        .where('sender_verify_token_hash', '=', hashToken(token))
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) return false
      await recordSystemAudit(tx, found.id, {
        action: 'organisation.sender_verified',
        subjectType: 'organisation',
        subjectId: found.id,
        changes: { sender_email: found.senderEmail },
      })
      return true
    })
}

/** The address and organisation a confirmation email is for, or null when the link is no longer due. */
export async function getSenderVerificationForEmail(organisationId: string, token: string) {
  const row = await getDb()
    .selectFrom('organisations')
    .select(identityColumns)
    .where('id', '=', organisationId)
    .where('sender_verify_token_hash', '=', hashToken(token))
    .where('sender_email_verified', '=', false)
    .executeTakeFirst()
  return row?.sender_email ? toIdentity(row) : null
}

/** The stored logo behind a media URL; both the organisation id and the hash must match. */
export async function getOrganisationLogoForServing(id: string, sha256: string) {
  if (!/^\d{1,18}$/.test(id) || !/^[0-9a-f]{64}$/.test(sha256)) return null
  const row = await getDb()
    .selectFrom('organisations')
    .select(['logo_content_type', 'logo_bytes', 'logo_byte_size', 'logo_sha256'])
    .where('id', '=', id)
    .where('logo_sha256', '=', sha256)
    .executeTakeFirst()
  if (!row?.logo_bytes || !row.logo_content_type) return null
  return { content_type: row.logo_content_type, bytes: row.logo_bytes, byte_size: row.logo_byte_size ?? row.logo_bytes.length, sha256 }
}

/** The email confirming a sender address, or null when the link is no longer due. */
export async function buildSenderVerificationEmail(organisationId: string, token: string, locale: string): Promise<OutgoingEmail | null> {
  const organisation = await getSenderVerificationForEmail(organisationId, token)
  if (!organisation?.sender_email) return null
  const lang = isLocale(locale) ? locale : 'en'
  const { APP_URL } = getEnv()
  const rendered = await renderEmail('sender-verification', {
    locale: lang,
    appUrl: APP_URL,
    organisationName: organisation.name,
    senderEmail: organisation.sender_email,
    confirmUrl: `${APP_URL}/admin/organisation/sender/${token}?lang=${lang}`,
    brand: emailBrandOf(organisation),
  })
  return { to: organisation.sender_email, from: emailFrom(organisation), template: 'sender-verification', locale: lang, ...rendered }
}
