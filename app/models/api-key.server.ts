import crypto from 'node:crypto'
import { sql } from 'kysely'
import { API_KEY_SCOPES, type ApiKeyScope } from '#db/types'
import { recordAudit } from '~/models/audit.server'
import type { AdminContext } from '~/utils/permissions'
import { getDb, type Executor } from '~/utils/db.server'

// Per-organisation keys for the OSDI API: docs/decisions/0014-osdi-api.md.

export { API_KEY_SCOPES, type ApiKeyScope }

/** Active keys an organisation may hold at once: plenty for its systems, few enough to review. */
export const MAX_ACTIVE_KEYS = 25
/** last_used_at is written at most this often per key, so a busy integration costs no write per request. */
export const LAST_USED_GRANULARITY_SECONDS = 60

const PREFIX_LENGTH = 10
const KEY_PATTERN = /^chorus_([a-z2-7]{10})_([A-Za-z0-9_-]{43})$/

/**
 * A new secret: `chorus_<prefix>_<secret>`. The prefix (50 random bits, shown in the workspace)
 * tells keys apart; the secret part carries 256 random bits.
 */
export function generateApiKey(): { key: string; prefix: string } {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
  const prefix = Array.from(crypto.randomBytes(PREFIX_LENGTH), (byte) => alphabet[byte % 32]).join('')
  return { key: `chorus_${prefix}_${crypto.randomBytes(32).toString('base64url')}`, prefix }
}

/**
 * Only this hash is stored. A fast hash is enough for a random 256-bit secret (nothing to
 * guess, unlike a password) and lets a request find its key with one indexed lookup.
 */
export function hashApiKey(key: string): Buffer {
  return crypto.createHash('sha256').update(key, 'utf8').digest()
}

export function isWellFormedApiKey(key: string): boolean {
  return KEY_PATTERN.test(key)
}

export interface ApiKeyListItem {
  id: string
  name: string
  prefix: string
  scope: ApiKeyScope
  crmSync: boolean
  createdAt: Date
  createdBy: string | null
  lastUsedAt: Date | null
  revokedAt: Date | null
}

/** The organisation's keys, active first, then newest first. Never the secret (it is not stored). */
export async function listApiKeys(organisationId: string, executor: Executor = getDb()): Promise<ApiKeyListItem[]> {
  const rows = await executor
    .selectFrom('api_keys as k')
    .leftJoin('users as u', 'u.id', 'k.created_by')
    .select(['k.id', 'k.name', 'k.prefix', 'k.scope', 'k.crm_sync', 'k.created_at', 'k.last_used_at', 'k.revoked_at', 'u.email as created_by_email'])
    .where('k.organisation_id', '=', organisationId)
    .orderBy(sql`k.revoked_at is not null`)
    .orderBy('k.created_at', 'desc')
    .orderBy('k.id', 'desc')
    .limit(200)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scope: r.scope,
    crmSync: r.crm_sync,
    createdAt: r.created_at,
    createdBy: r.created_by_email,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }))
}

/**
 * The systems that receive signers' details, for the public privacy notice (decision 0047): every
 * active key may read signatures; those marked for CRM sync also receive email addresses. Only
 * the names owners gave the keys, never a prefix or anything else about them.
 */
export async function listSignatureReaders(organisationId: string, executor: Executor = getDb()): Promise<{ name: string; crmSync: boolean }[]> {
  const rows = await executor
    .selectFrom('api_keys')
    .select(['name', 'crm_sync'])
    .where('organisation_id', '=', organisationId)
    .where('revoked_at', 'is', null)
    .orderBy('crm_sync', 'desc')
    .orderBy('name')
    .orderBy('id')
    .limit(MAX_ACTIVE_KEYS)
    .execute()
  return rows.map((r) => ({ name: r.name, crmSync: r.crm_sync }))
}

export type CreateApiKeyResult =
  { status: 'created'; id: string; key: string; prefix: string; name: string; scope: ApiKeyScope; crmSync: boolean } | { status: 'too-many' }

/**
 * Makes a key for the admin's organisation; the secret is returned once and never stored. Only a
 * key made (or later marked) for CRM sync receives signers' email addresses (decision 0047).
 */
export async function createApiKey(admin: AdminContext, input: { name: string; scope: ApiKeyScope; crmSync?: boolean }): Promise<CreateApiKeyResult> {
  const crmSync = input.crmSync ?? false
  const { key, prefix } = generateApiKey()
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      // One creation at a time per organisation, so the limit holds under concurrent requests.
      await tx.selectFrom('organisations').select('id').where('id', '=', admin.organisation.id).forUpdate().execute()
      const active = await tx
        .selectFrom('api_keys')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('organisation_id', '=', admin.organisation.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow()
      if (active.n >= MAX_ACTIVE_KEYS) return { status: 'too-many' } as const
      const row = await tx
        .insertInto('api_keys')
        .values({
          organisation_id: admin.organisation.id,
          name: input.name,
          prefix,
          key_hash: hashApiKey(key),
          scope: input.scope,
          crm_sync: crmSync,
          created_by: admin.user.id,
        })
        .returning(['id'])
        .executeTakeFirstOrThrow()
      await recordAudit(tx, admin, {
        action: 'api_key.created',
        subjectType: 'api_key',
        subjectId: row.id,
        changes: { name: input.name, scope: input.scope, crm_sync: crmSync, prefix },
      })
      return { status: 'created', id: row.id, key, prefix, name: input.name, scope: input.scope, crmSync } as const
    })
}

/** Revokes one of the admin's organisation's keys; false when there is no such active key. */
export async function revokeApiKey(admin: AdminContext, keyId: string): Promise<boolean> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const revoked = await tx
        .updateTable('api_keys')
        .set({ revoked_at: sql`now()`, revoked_by: admin.user.id })
        .where('id', '=', keyId)
        .where('organisation_id', '=', admin.organisation.id)
        .where('revoked_at', 'is', null)
        .returning(['id', 'name', 'prefix', 'scope'])
        .executeTakeFirst()
      if (!revoked) return false
      await recordAudit(tx, admin, {
        action: 'api_key.revoked',
        subjectType: 'api_key',
        subjectId: revoked.id,
        changes: { name: revoked.name, scope: revoked.scope, prefix: revoked.prefix },
      })
      return true
    })
}

/**
 * Marks an active key of the admin's organisation as the CRM sync (it then receives signers'
 * email addresses) or not; false when there is no such active key. Audited only when it changes.
 */
export async function setApiKeyCrmSync(admin: AdminContext, keyId: string, crmSync: boolean): Promise<boolean> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const before = await tx
        .selectFrom('api_keys')
        .select(['id', 'name', 'prefix', 'crm_sync'])
        .where('id', '=', keyId)
        .where('organisation_id', '=', admin.organisation.id)
        .where('revoked_at', 'is', null)
        .forUpdate()
        .executeTakeFirst()
      if (!before) return false
      if (before.crm_sync === crmSync) return true
      await tx.updateTable('api_keys').set({ crm_sync: crmSync }).where('id', '=', before.id).execute()
      await recordAudit(tx, admin, {
        action: 'api_key.crm_sync_changed',
        subjectType: 'api_key',
        subjectId: before.id,
        changes: { name: before.name, prefix: before.prefix, crm_sync: { from: before.crm_sync, to: crmSync } },
      })
      return true
    })
}

export interface ApiClient {
  keyId: string
  prefix: string
  scope: ApiKeyScope
  /** Whether this key receives signers' email addresses (decision 0047). */
  crmSync: boolean
  organisation: { id: string; name: string }
}

/**
 * The active key a request presents, or null. Found by its hash (an indexed equality lookup, so
 * no timing leak to speak of); last_used_at is refreshed at most once a minute.
 */
export async function authenticateApiKey(key: string, executor: Executor = getDb()): Promise<ApiClient | null> {
  if (!isWellFormedApiKey(key)) return null
  const row = await executor
    .selectFrom('api_keys as k')
    .innerJoin('organisations as o', 'o.id', 'k.organisation_id')
    .select(['k.id', 'k.prefix', 'k.scope', 'k.crm_sync', 'k.last_used_at', 'o.id as organisation_id', 'o.name as organisation_name'])
    .where('k.key_hash', '=', hashApiKey(key))
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row) return null
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USED_GRANULARITY_SECONDS * 1000) {
    await executor
      .updateTable('api_keys')
      .set({ last_used_at: sql`now()` })
      .where('id', '=', row.id)
      .where((eb) =>
        eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - make_interval(secs => ${LAST_USED_GRANULARITY_SECONDS})`)]),
      )
      .execute()
  }
  return {
    keyId: row.id,
    prefix: row.prefix,
    scope: row.scope,
    crmSync: row.crm_sync,
    organisation: { id: row.organisation_id, name: row.organisation_name },
  }
}

/** Whether a key of `scope` may do what `needed` asks: write keys can also read. */
export function scopeAllows(scope: ApiKeyScope, needed: ApiKeyScope): boolean {
  return needed === 'read' || scope === 'write'
}
