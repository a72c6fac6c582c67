import { sql, type RawBuilder } from 'kysely'
import type { HoldReason } from '#db/types'
import { recordAudit } from '~/models/audit.server'
import { FINGERPRINT_HEX_LENGTH, type IntegrityActionKind, type IntegrityFilter, type IntegrityWindow, type PinnedFilter } from '~/models/integrity-schema'
import { lockCounters, subtractCountedSignatures } from '~/models/signature-count.server'
import { RELEASED_STATE_SQL } from '~/models/signature-state'
import { getDb, type Executor } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { enqueueJob } from '~/jobs/enqueue.server'

// The Integrity tab (decision 0030): what was held and why, who signs most, and bulk
// release or invalidation by filter, previewed first, run in batches and audited.

/** Rows one batch of a bulk action touches (one transaction under the counter lock). */
export const ACTION_BATCH_SIZE = 5000
const FINGERPRINT_BYTES = FINGERPRINT_HEX_LENGTH / 2
const TOP = 10
const HELD_PAGE = 50

const WINDOW_INTERVALS: Record<Exclude<IntegrityWindow, 'all'>, string> = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days' }

const FINGERPRINT = sql<string>`encode(substring(s.ip_hash from 1 for ${sql.lit(FINGERPRINT_BYTES)}), 'hex')`
const SOURCE = sql<string>`lower(coalesce(nullif(btrim(s.utm_source), ''), nullif(btrim(s.source), ''), ''))`

export interface Ranked {
  key: string
  count: number
}

export interface HeldSignature {
  id: string
  createdAt: Date
  confirmed: boolean
  domain: string | null
  fingerprint: string | null
  reasons: HoldReason[]
  source: string
}

export interface IntegrityAction {
  id: string
  kind: IntegrityActionKind
  filter: Record<string, unknown>
  previewed: number
  processed: number
  countChange: number
  status: 'running' | 'done'
  createdAt: Date
  finishedAt: Date | null
}

export interface IntegrityOverview {
  attackMode: { since: Date; origin: 'auto' | 'manual' } | null
  settings: { domainLimit: number | null; addressLimit: number | null; holdDisposable: boolean | null }
  defaults: { domainLimit: number; addressLimit: number; holdDisposable: boolean }
  heldTotal: number
  heldByReason: Ranked[]
  held: HeldSignature[]
  domains: { hour: Ranked[]; day: Ranked[] }
  addresses: { hour: Ranked[]; day: Ranked[] }
  actions: IntegrityAction[]
}

/** Everything the Integrity tab shows. No names or addresses: domains, fingerprints and counts. */
export async function getIntegrityOverview(campaignId: string, executor: Executor = getDb()): Promise<IntegrityOverview> {
  const env = getEnv()
  const busiest = (column: RawBuilder<string>, interval: string) =>
    sql<{ key: string; count: number }>`
      select ${column} as key, count(*)::int as count from signatures s
      where s.campaign_id = ${campaignId} and s.created_at > now() - ${interval}::interval and ${column} is not null
      group by 1 order by 2 desc, 1 limit ${TOP}`.execute(executor)
  const domain = sql<string>`s.email_domain`
  const [campaign, byReason, held, domainHour, domainDay, addressHour, addressDay, actions] = await Promise.all([
    executor
      .selectFrom('campaigns')
      .select(['attack_mode_started_at', 'attack_mode_origin', 'integrity_domain_hourly_limit', 'integrity_address_hourly_limit', 'integrity_hold_disposable'])
      .where('id', '=', campaignId)
      .executeTakeFirstOrThrow(),
    sql<{ key: string; count: number }>`
      select r as key, count(*)::int as count
      from signatures s cross join unnest(s.hold_reasons) r
      where s.campaign_id = ${campaignId} and s.state = 'held'
      group by 1 order by 2 desc, 1`.execute(executor),
    sql<{ id: string; created_at: Date; confirmed: boolean; domain: string | null; fingerprint: string | null; reasons: HoldReason[]; source: string }>`
      select s.id, s.created_at, s.confirmed_at is not null as confirmed, s.email_domain as domain,
             ${FINGERPRINT} as fingerprint, s.hold_reasons as reasons, ${SOURCE} as source
      from signatures s where s.campaign_id = ${campaignId} and s.state = 'held'
      order by s.id desc limit ${HELD_PAGE}`.execute(executor),
    busiest(domain, '1 hour'),
    busiest(domain, '24 hours'),
    busiest(FINGERPRINT, '1 hour'),
    busiest(FINGERPRINT, '24 hours'),
    executor.selectFrom('integrity_actions').selectAll().where('campaign_id', '=', campaignId).orderBy('id', 'desc').limit(10).execute(),
  ])
  const heldByReason = byReason.rows
  const heldTotal = Number(
    (await sql<{ n: number }>`select count(*)::int as n from signatures where campaign_id = ${campaignId} and state = 'held'`.execute(executor)).rows[0]?.n ??
      0,
  )
  return {
    attackMode: campaign.attack_mode_started_at ? { since: campaign.attack_mode_started_at, origin: campaign.attack_mode_origin ?? 'manual' } : null,
    settings: {
      domainLimit: campaign.integrity_domain_hourly_limit,
      addressLimit: campaign.integrity_address_hourly_limit,
      holdDisposable: campaign.integrity_hold_disposable,
    },
    defaults: {
      domainLimit: env.INTEGRITY_DOMAIN_HOURLY_LIMIT,
      addressLimit: env.INTEGRITY_ADDRESS_HOURLY_LIMIT,
      holdDisposable: env.INTEGRITY_HOLD_DISPOSABLE,
    },
    heldTotal,
    heldByReason,
    held: held.rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      confirmed: r.confirmed,
      domain: r.domain,
      fingerprint: r.fingerprint,
      reasons: r.reasons,
      source: r.source,
    })),
    domains: { hour: domainHour.rows, day: domainDay.rows },
    addresses: { hour: addressHour.rows, day: addressDay.rows },
    actions: actions.map(actionView),
  }
}

function actionView(row: {
  id: string
  kind: IntegrityActionKind
  filter: Record<string, unknown>
  previewed: number
  processed: number
  count_change: number
  status: 'running' | 'done'
  created_at: Date
  finished_at: Date | null
}): IntegrityAction {
  return {
    id: row.id,
    kind: row.kind,
    filter: row.filter,
    previewed: row.previewed,
    processed: row.processed,
    countChange: row.count_change,
    status: row.status,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  }
}

/** The SQL condition a (pinned) filter stands for, over `signatures s`. */
function filterCondition(campaignId: string, kind: IntegrityActionKind, filter: IntegrityFilter & { since?: string; upToId?: string }) {
  const parts: RawBuilder<unknown>[] = [sql`s.campaign_id = ${campaignId}`]
  // Release only ever moves held signatures; invalidation anything not already invalidated.
  const state = kind === 'release' ? 'held' : filter.state
  parts.push(state === 'any' ? sql`s.state <> 'invalidated'` : sql`s.state = ${state}`)
  if (filter.reason) parts.push(sql`${filter.reason} = any(s.hold_reasons)`)
  if (filter.domain) parts.push(sql`s.email_domain = ${filter.domain}`)
  if (filter.address) parts.push(sql`substring(s.ip_hash from 1 for ${sql.lit(FINGERPRINT_BYTES)}) = decode(${filter.address}, 'hex')`)
  if (filter.since) parts.push(sql`s.created_at >= ${filter.since}::timestamptz`)
  else if (filter.window !== 'all') parts.push(sql`s.created_at > now() - ${WINDOW_INTERVALS[filter.window]}::interval`)
  if (filter.source !== undefined) parts.push(sql`${SOURCE} = ${filter.source}`)
  if (filter.upToId) parts.push(sql`s.id <= ${filter.upToId}`)
  return sql.join(parts, sql` and `)
}

export interface IntegrityPreview {
  kind: IntegrityActionKind
  /** Signatures the action will touch. */
  rows: number
  /** How the public count moves once the counter has folded: + for release, - for invalidate. */
  countChange: number
  /** The filter pinned: the window's start and the newest row seen. */
  pinned: PinnedFilter
}

/** How many signatures a bulk action would touch, and pins the filter so the action touches exactly those. */
export async function previewIntegrityAction(
  campaignId: string,
  kind: IntegrityActionKind,
  filter: IntegrityFilter,
  executor: Executor = getDb(),
): Promise<IntegrityPreview> {
  const { rows } = await sql<{ now: Date; rows: number; counted: number; up_to_id: string | null }>`
    select now() as now, count(*)::int as rows,
           count(*) filter (where ${kind === 'release' ? sql`s.confirmed_at is not null` : sql`s.state = 'confirmed'`})::int as counted,
           max(s.id)::text as up_to_id
    from signatures s where ${filterCondition(campaignId, kind, filter)}`.execute(executor)
  const row = rows[0]!
  const since =
    filter.window === 'all' ? undefined : new Date(row.now.getTime() - { '1h': 3600, '24h': 86400, '7d': 7 * 86400 }[filter.window] * 1000).toISOString()
  return {
    kind,
    rows: row.rows,
    countChange: kind === 'release' ? row.counted : -row.counted,
    pinned: { ...filter, since, upToId: row.up_to_id ?? '0' },
  }
}

export interface Actor {
  user: { id: string }
  organisation: { id: string }
}

/**
 * Starts a bulk action over a pinned filter, audited with the filter and the previewed number.
 * Small sets run at once (one batch); larger ones run as a job in batches, with progress.
 */
export async function startIntegrityAction(
  actor: Actor,
  campaignId: string,
  kind: IntegrityActionKind,
  pinned: PinnedFilter,
  previewed: number,
): Promise<{ id: string; background: boolean }> {
  const background = previewed > ACTION_BATCH_SIZE
  const id = await getDb()
    .transaction()
    .execute(async (tx) => {
      const { upToId, ...filter } = pinned
      const row = await tx
        .insertInto('integrity_actions')
        .values({
          campaign_id: campaignId,
          kind,
          filter: JSON.stringify(filter),
          up_to_id: upToId,
          previewed,
          actor_user_id: actor.user.id,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await recordAudit(tx, actor, {
        action: kind === 'release' ? 'integrity.release_started' : 'integrity.invalidate_started',
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: { actionId: row.id, filter, previewed },
      })
      if (background) await enqueueJob(tx, 'run-integrity-action', { actionId: row.id }, { maxAttempts: 10 })
      return row.id
    })
  if (!background) await runIntegrityAction(id)
  return { id, background }
}

/**
 * One batch of a bulk action, in one transaction under the counter lock: the next rows the
 * pinned filter matches (they leave it as they change, so no cursor is needed). Invalidation
 * subtracts counted ones from every cached count; release puts held ones back to pending or
 * confirmed, for the counter job to fold. Returns whether the action has finished.
 */
export async function runIntegrityActionBatch(actionId: string, batchSize = ACTION_BATCH_SIZE): Promise<{ done: boolean; processed: number }> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      await lockCounters(tx)
      const action = await tx
        .selectFrom('integrity_actions as a')
        .innerJoin('campaigns as c', 'c.id', 'a.campaign_id')
        .select([
          'a.id',
          'a.campaign_id',
          'a.kind',
          'a.filter',
          'a.up_to_id',
          'a.previewed',
          'a.processed',
          'a.count_change',
          'a.status',
          'a.actor_user_id',
          'c.organisation_id',
        ])
        .where('a.id', '=', actionId)
        .forUpdate('a')
        .executeTakeFirst()
      if (!action || action.status === 'done') return { done: true, processed: action?.processed ?? 0 }
      const filter = { ...(action.filter as IntegrityFilter & { since?: string }), upToId: action.up_to_id }
      const { rows } = await sql<{ id: string; state: string; confirmed_at: Date | null }>`
        select s.id, s.state, s.confirmed_at from signatures s
        where ${filterCondition(action.campaign_id, action.kind, filter)}
        order by s.id limit ${batchSize}
        for update`.execute(tx)
      const ids = rows.map((r) => r.id)
      let countChange = 0
      if (ids.length > 0 && action.kind === 'invalidate') {
        await subtractCountedSignatures(tx, ids)
        countChange = -rows.filter((r) => r.state === 'confirmed').length
        await sql`
          update signatures set state = 'invalidated', invalidated_at = now(), invalidation_reason = 'fraud',
                 counted_at = null, confirmation_token_hash = null, updated_at = now()
          where id = any(${ids}::bigint[])`.execute(tx)
      } else if (ids.length > 0) {
        countChange = rows.filter((r) => r.confirmed_at !== null).length
        await sql`update signatures set state = ${RELEASED_STATE_SQL}, updated_at = now() where id = any(${ids}::bigint[])`.execute(tx)
      }
      const done = ids.length < batchSize
      const processed = action.processed + ids.length
      await tx
        .updateTable('integrity_actions')
        .set({
          processed,
          count_change: action.count_change + countChange,
          ...(done ? { status: 'done' as const, finished_at: sql`now()` } : {}),
        })
        .where('id', '=', action.id)
        .execute()
      if (done) {
        await recordAudit(
          tx,
          { user: action.actor_user_id ? { id: action.actor_user_id } : null, organisation: { id: action.organisation_id } },
          {
            action: action.kind === 'release' ? 'integrity.released' : 'integrity.invalidated',
            subjectType: 'campaign',
            subjectId: action.campaign_id,
            changes: {
              actionId: action.id,
              filter: action.filter,
              previewed: action.previewed,
              signatures: processed,
              countChange: action.count_change + countChange,
            },
          },
        )
      }
      return { done, processed }
    })
}

/** Runs an action's batches until it is done; `onProgress` hears after each batch. */
export async function runIntegrityAction(actionId: string, onProgress?: (processed: number) => void, batchSize = ACTION_BATCH_SIZE) {
  for (;;) {
    const { done, processed } = await runIntegrityActionBatch(actionId, batchSize)
    onProgress?.(processed)
    if (done) return processed
  }
}

/** Per-campaign overrides of the rules (null: the environment's default), audited. */
export async function saveIntegritySettings(
  actor: Actor,
  campaignId: string,
  settings: { domainLimit: number | null; addressLimit: number | null; holdDisposable: boolean | null },
) {
  await getDb()
    .transaction()
    .execute(async (tx) => {
      await tx
        .updateTable('campaigns')
        .set({
          integrity_domain_hourly_limit: settings.domainLimit,
          integrity_address_hourly_limit: settings.addressLimit,
          integrity_hold_disposable: settings.holdDisposable,
        })
        .where('id', '=', campaignId)
        .execute()
      await recordAudit(tx, actor, { action: 'integrity.settings_changed', subjectType: 'campaign', subjectId: campaignId, changes: settings })
    })
}
