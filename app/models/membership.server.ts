import { sql } from 'kysely'
import type { RoleName } from '#db/types'
import { recordAudit, recordSystemAudit } from '~/models/audit.server'
import { findOrCreateUser } from '~/models/user.server'
import type { AdminContext } from '~/utils/permissions'
import { getDb, type Executor } from '~/utils/db.server'

export interface MembershipWithOrganisation {
  id: string
  role: RoleName
  organisation: { id: string; slug: string; name: string }
}

/** Every organisation a user belongs to, oldest membership first. */
export async function listMembershipsOfUser(userId: string, executor: Executor = getDb()): Promise<MembershipWithOrganisation[]> {
  const rows = await executor
    .selectFrom('memberships as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .select(['m.id', 'm.role', 'o.id as organisation_id', 'o.slug', 'o.name'])
    .where('m.user_id', '=', userId)
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute()
  return rows.map((r) => ({ id: r.id, role: r.role, organisation: { id: r.organisation_id, slug: r.slug, name: r.name } }))
}

export async function getMembership(organisationId: string, userId: string, executor: Executor = getDb()) {
  return await executor.selectFrom('memberships').selectAll().where('organisation_id', '=', organisationId).where('user_id', '=', userId).executeTakeFirst()
}

export interface MemberRow {
  userId: string
  email: string
  name: string | null
  role: RoleName
  since: Date
}

export async function listMembers(organisationId: string, executor: Executor = getDb()): Promise<MemberRow[]> {
  const rows = await executor
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.email', 'u.name', 'm.role', 'm.created_at'])
    .where('m.organisation_id', '=', organisationId)
    .orderBy('u.email')
    .execute()
  return rows.map((r) => ({ userId: r.id, email: r.email, name: r.name, role: r.role, since: r.created_at }))
}

/**
 * Adds a membership or, when the person already belongs, keeps it as it is (an invitation never
 * silently demotes anyone). Returns the membership and whether it was created now.
 */
export async function addMembership(executor: Executor, { organisationId, userId, role }: { organisationId: string; userId: string; role: RoleName }) {
  const inserted = await executor
    .insertInto('memberships')
    .values({ organisation_id: organisationId, user_id: userId, role })
    .onConflict((oc) => oc.constraint('memberships_organisation_user_key').doNothing())
    .returningAll()
    .executeTakeFirst()
  if (inserted) return { membership: inserted, created: true }
  const existing = await executor
    .selectFrom('memberships')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow()
  return { membership: existing, created: false }
}

/**
 * Locks the organisation's owner memberships until the transaction ends, so two owners demoting
 * each other at once cannot leave the organisation without one. Returns the owners' user ids.
 */
export async function lockOwners(tx: Executor, organisationId: string): Promise<string[]> {
  const rows = await tx
    .selectFrom('memberships')
    .select('user_id')
    .where('organisation_id', '=', organisationId)
    .where('role', '=', 'owner')
    .orderBy('id')
    .forUpdate()
    .execute()
  return rows.map((r) => r.user_id)
}

/** The person's membership row, locked for the rest of the transaction; undefined when they are not a member. */
async function lockMembership(tx: Executor, organisationId: string, userId: string) {
  return await tx
    .selectFrom('memberships')
    .select(['id', 'role'])
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst()
}

export type MembershipChangeResult =
  { status: 'changed'; from: RoleName; to: RoleName } | { status: 'unchanged' } | { status: 'not-found' } | { status: 'last-owner' }

/** Changes a member's role unless that would leave the organisation without an owner. Call inside a transaction. */
export async function changeMemberRole(
  tx: Executor,
  { organisationId, userId, role }: { organisationId: string; userId: string; role: RoleName },
): Promise<MembershipChangeResult> {
  const owners = await lockOwners(tx, organisationId)
  const membership = await lockMembership(tx, organisationId, userId)
  if (!membership) return { status: 'not-found' }
  if (membership.role === role) return { status: 'unchanged' }
  if (membership.role === 'owner' && owners.length <= 1) return { status: 'last-owner' }
  await tx
    .updateTable('memberships')
    .set({ role, updated_at: sql`now()` })
    .where('id', '=', membership.id)
    .execute()
  return { status: 'changed', from: membership.role, to: role }
}

export type MembershipRemoveResult = { status: 'removed'; role: RoleName } | { status: 'not-found' } | { status: 'last-owner' }

/** Removes a member unless they are the organisation's last owner. Call inside a transaction. */
export async function removeMember(tx: Executor, { organisationId, userId }: { organisationId: string; userId: string }): Promise<MembershipRemoveResult> {
  const owners = await lockOwners(tx, organisationId)
  const membership = await lockMembership(tx, organisationId, userId)
  if (!membership) return { status: 'not-found' }
  if (membership.role === 'owner' && owners.length <= 1) return { status: 'last-owner' }
  await tx.deleteFrom('memberships').where('id', '=', membership.id).execute()
  return { status: 'removed', role: membership.role }
}

/** An owner changes someone's role in their organisation: checked against the last-owner rule and audited, in one transaction. */
export async function changeRoleOfMember(admin: AdminContext, { userId, role }: { userId: string; role: RoleName }) {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const result = await changeMemberRole(tx, { organisationId: admin.organisation.id, userId, role })
      if (result.status === 'changed') {
        await recordAudit(tx, admin, {
          action: 'member.role_changed',
          subjectType: 'user',
          subjectId: userId,
          changes: { role: { from: result.from, to: result.to } },
        })
      }
      return result
    })
}

/** An owner removes someone from their organisation (never its last owner), audited. */
export async function removeMemberFromOrganisation(admin: AdminContext, { userId }: { userId: string }) {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const result = await removeMember(tx, { organisationId: admin.organisation.id, userId })
      if (result.status === 'removed') {
        await recordAudit(tx, admin, { action: 'member.removed', subjectType: 'user', subjectId: userId, changes: { role: { from: result.role, to: null } } })
      }
      return result
    })
}

/** A URL slug from an organisation's name: "Friends of the Earth!" → "friends-of-the-earth". */
export function slugFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  return slug || 'organisation'
}

/**
 * Makes `email` an owner of the organisation named `organisationName` (found by its slug, created
 * when missing). Idempotent: running it again changes nothing. Used by `npm run admin:create`.
 */
export async function ensureOwner({ email, organisationName }: { email: string; organisationName: string }) {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const slug = slugFromName(organisationName)
      let organisation = await tx.selectFrom('organisations').select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst()
      const organisationCreated = !organisation
      if (!organisation) {
        organisation = await tx
          .insertInto('organisations')
          .values({ slug, name: organisationName.trim() })
          .returning(['id', 'slug', 'name'])
          .executeTakeFirstOrThrow()
        await recordSystemAudit(tx, organisation.id, {
          action: 'organisation.created',
          subjectType: 'organisation',
          subjectId: organisation.id,
          changes: { name: organisation.name, slug },
        })
      }
      const user = await findOrCreateUser(tx, { email })
      const { membership, created } = await addMembership(tx, { organisationId: organisation.id, userId: user.id, role: 'owner' })
      const promoted = !created && membership.role !== 'owner'
      if (created) {
        await recordSystemAudit(tx, organisation.id, {
          action: 'member.added',
          subjectType: 'user',
          subjectId: user.id,
          changes: { role: { from: null, to: 'owner' } },
        })
      } else if (promoted) {
        await tx
          .updateTable('memberships')
          .set({ role: 'owner', updated_at: sql`now()` })
          .where('id', '=', membership.id)
          .execute()
        await recordSystemAudit(tx, organisation.id, {
          action: 'member.role_changed',
          subjectType: 'user',
          subjectId: user.id,
          changes: { role: { from: membership.role, to: 'owner' } },
        })
      }
      return { organisation, organisationCreated, user, membershipCreated: created, promoted }
    })
}
