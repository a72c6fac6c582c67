import { sql } from 'kysely'
import type { RoleName } from '#db/types'
import { renderEmail } from '#emails/render'
import { recordAudit } from '~/models/audit.server'
import { addMembership, getMembership } from '~/models/membership.server'
import { createSession } from '~/models/session.server'
import { findOrCreateUser, getUserByEmail, normaliseUserEmail } from '~/models/user.server'
import type { AdminContext } from '~/utils/permissions'
import { getDb, type Executor } from '~/utils/db.server'
import type { OutgoingEmail } from '~/utils/email.server'
import { getEnv } from '~/utils/env.server'
import { isLocale, type Locale } from '~/utils/i18n'
import { queueEmail } from '~/models/email-outbox.server'
import { emailBrandOf, getOrganisationIdentity } from '~/models/organisation.server'
import { emailFrom } from '~/utils/email-sender.server'
import { generateToken, hashToken } from '~/utils/security.server'

export const INVITATION_DAYS = 7

const pending = sql<boolean>`accepted_at is null and revoked_at is null and expires_at > now()`

export interface PendingInvitation {
  id: string
  email: string
  role: RoleName
  createdAt: Date
  expiresAt: Date
  invitedBy: string | null
}

export async function listPendingInvitations(organisationId: string, executor: Executor = getDb()): Promise<PendingInvitation[]> {
  const rows = await executor
    .selectFrom('invitations as i')
    .leftJoin('users as u', 'u.id', 'i.invited_by')
    .select(['i.id', 'i.email', 'i.role', 'i.created_at', 'i.expires_at', 'u.email as inviter_email', 'u.name as inviter_name'])
    .where('i.organisation_id', '=', organisationId)
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .where('i.expires_at', '>', sql<Date>`now()`)
    .orderBy('i.created_at', 'desc')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    role: r.role,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    invitedBy: r.inviter_name || r.inviter_email,
  }))
}

export type InviteResult = { status: 'invited'; invitationId: string } | { status: 'already-member' }

/**
 * Invites an address to the admin's organisation with a role: one pending invitation per
 * address (a new one replaces the old), emailed by a job queued in the same transaction.
 */
export async function inviteMember(admin: AdminContext, { email, role, locale }: { email: string; role: RoleName; locale: Locale }): Promise<InviteResult> {
  const address = normaliseUserEmail(email)
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const existingUser = await getUserByEmail(address, tx)
      if (existingUser && (await getMembership(admin.organisation.id, existingUser.id, tx))) return { status: 'already-member' } as const
      await tx
        .updateTable('invitations')
        .set({ revoked_at: sql`now()` })
        .where('organisation_id', '=', admin.organisation.id)
        .where('email', '=', address)
        .where(pending)
        .execute()
      const token = generateToken()
      const invitation = await tx
        .insertInto('invitations')
        .values({
          organisation_id: admin.organisation.id,
          email: address,
          role,
          token_hash: hashToken(token),
          invited_by: admin.user.id,
          expires_at: sql<Date>`now() + make_interval(days => ${INVITATION_DAYS})`,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await recordAudit(tx, admin, { action: 'member.invited', subjectType: 'invitation', subjectId: invitation.id, changes: { email: address, role } })
      await queueEmail(tx, { template: 'invitation', payload: { invitationId: invitation.id, token, locale }, locale, recipient: address })
      return { status: 'invited', invitationId: invitation.id } as const
    })
}

/** Withdraws a pending invitation of the admin's organisation; false when there is none by that id there. */
export async function revokeInvitation(admin: AdminContext, invitationId: string): Promise<boolean> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const revoked = await tx
        .updateTable('invitations')
        .set({ revoked_at: sql`now()` })
        .where('id', '=', invitationId)
        .where('organisation_id', '=', admin.organisation.id)
        .where(pending)
        .returning(['id', 'email', 'role'])
        .executeTakeFirst()
      if (!revoked) return false
      await recordAudit(tx, admin, {
        action: 'invitation.revoked',
        subjectType: 'invitation',
        subjectId: revoked.id,
        changes: { email: revoked.email, role: revoked.role },
      })
      return true
    })
}

export interface InvitationForAcceptance {
  email: string
  role: RoleName
  organisation: { id: string; name: string }
}

/** The pending invitation behind a link, for the page its GET shows. */
export async function getPendingInvitationByToken(token: string): Promise<InvitationForAcceptance | null> {
  if (!token) return null
  const row = await getDb()
    .selectFrom('invitations as i')
    .innerJoin('organisations as o', 'o.id', 'i.organisation_id')
    .select(['i.email', 'i.role', 'o.id as organisation_id', 'o.name'])
    .where('i.token_hash', '=', hashToken(token))
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .where('i.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
  return row ? { email: row.email, role: row.role, organisation: { id: row.organisation_id, name: row.name } } : null
}

export type AcceptInvitationResult = { status: 'accepted'; sessionToken: string; organisationId: string } | { status: 'invalid' }

/**
 * Accepts an invitation (single use: one request wins): creates the user if needed and the
 * membership, and starts a session in that organisation. Someone who already belongs keeps
 * their role. Audited in the organisation as the new member's act.
 */
export async function acceptInvitation(token: string, { userAgent, locale }: { userAgent: string | null; locale: Locale }): Promise<AcceptInvitationResult> {
  if (!token) return { status: 'invalid' }
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const invitation = await tx
        .updateTable('invitations')
        .set({ accepted_at: sql`now()` })
        .where('token_hash', '=', hashToken(token))
        .where(pending)
        .returning(['id', 'organisation_id', 'email', 'role'])
        .executeTakeFirst()
      if (!invitation) return { status: 'invalid' } as const
      const user = await findOrCreateUser(tx, { email: invitation.email, locale })
      await tx.updateTable('invitations').set({ accepted_by: user.id }).where('id', '=', invitation.id).execute()
      const { membership, created } = await addMembership(tx, { organisationId: invitation.organisation_id, userId: user.id, role: invitation.role })
      const { token: sessionToken } = await createSession(tx, { userId: user.id, organisationId: invitation.organisation_id, userAgent })
      await recordAudit(
        tx,
        { user, organisation: { id: invitation.organisation_id } },
        {
          action: 'member.joined',
          subjectType: 'membership',
          subjectId: membership.id,
          changes: created
            ? { email: invitation.email, role: invitation.role, invitation: invitation.id }
            : { email: invitation.email, invitation: invitation.id, alreadyMember: true },
        },
      )
      return { status: 'accepted', sessionToken, organisationId: invitation.organisation_id } as const
    })
}

/** The email for a queued invitation, or null when it was accepted, withdrawn or expired since. */
export async function buildInvitationEmail(invitationId: string, token: string, locale: string): Promise<OutgoingEmail | null> {
  const row = await getDb()
    .selectFrom('invitations as i')
    .innerJoin('organisations as o', 'o.id', 'i.organisation_id')
    .leftJoin('users as u', 'u.id', 'i.invited_by')
    .select(['i.email', 'i.role', 'i.organisation_id', 'o.name as organisation_name', 'u.name as inviter_name', 'u.email as inviter_email'])
    .where('i.id', '=', invitationId)
    .where('i.token_hash', '=', hashToken(token))
    .where(sql<boolean>`i.accepted_at is null and i.revoked_at is null and i.expires_at > now()`)
    .executeTakeFirst()
  if (!row) return null
  const lang = isLocale(locale) ? locale : 'en'
  const { APP_URL } = getEnv()
  const organisation = (await getOrganisationIdentity(row.organisation_id))!
  const rendered = await renderEmail('invitation', {
    locale: lang,
    appUrl: APP_URL,
    organisationName: row.organisation_name,
    inviterName: row.inviter_name || row.inviter_email || row.organisation_name,
    role: row.role,
    acceptUrl: `${APP_URL}/admin/invitations/${token}?lang=${lang}`,
    brand: emailBrandOf(organisation),
  })
  return { to: row.email, from: emailFrom(organisation), template: 'invitation', locale: lang, ...rendered }
}
