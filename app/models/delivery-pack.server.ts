import crypto from 'node:crypto'
import { sql } from 'kysely'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { openerFor } from '~/models/data-key.server'
import { getDb, type Executor } from '~/utils/db.server'
import { isLocale, type Locale } from '~/utils/i18n'

// Delivery packs (decision 0013): the list of confirmed signatures handed to the people a
// petition addresses, frozen by a cut-off and fingerprinted by a verification code. The list is
// never copied: it is re-read from `signatures` (by id and cut-off) whenever a PDF or CSV is made.

/** Rows read per query when walking a list: memory stays flat however long the list is. */
export const PACK_CHUNK_SIZE = 5000

/** Confirmations this recent wait for the next pack, so one still committing cannot slip into a rebuilt list. */
const CUT_OFF_MARGIN = "interval '1 minute'"

export const MANIFEST_HEADER = 'Chorus delivery pack v1'
/** Hex digits of the manifest's SHA-256 kept as the code: 96 bits, read out in groups of four. */
export const CODE_HEX_LENGTH = 24

export interface PackScope {
  campaignId: string
  maxSignatureId: string
  cutOff: Date
}

export interface PackListRow {
  id: string
  full_name: string
  country: string
}

export interface DeliveryPack {
  id: string
  campaignId: string
  locale: Locale
  confirmedTotal: number
  namedCount: number
  countryCounts: Record<string, number>
  maxSignatureId: string
  cutOff: Date
  verificationCode: string
  /** Hex SHA-256 of the CSV as built. */
  listSha256: string | null
  createdBy: string | null
}

// ---------------------------------------------------------------------------------------------
// The canonical list: the CSV's bytes, which the code covers.

const encoder = new TextEncoder()
export const CSV_BOM = '\uFEFF'
export const CSV_HEADER = 'name,country\r\n'

/**
 * One CSV cell (RFC 4180), safe to open in a spreadsheet: a cell starting with = + - @ (or a tab
 * or carriage return) gets a leading apostrophe so it is never run as a formula.
 */
export function csvCell(value: string): string {
  const guarded = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded
}

export function csvRow(row: { full_name: string; country: string }): string {
  return `${csvCell(row.full_name)},${csvCell(row.country)}\r\n`
}

/** The named signers of a pack, in id order, a chunk at a time (keyset on id). */
export async function* namedRowChunks(scope: PackScope, executor: Executor = getDb(), chunkSize = PACK_CHUNK_SIZE) {
  let after = '0'
  while (true) {
    const rows = await executor
      .selectFrom('signatures')
      .select(['id', 'full_name', 'country'])
      .where('campaign_id', '=', scope.campaignId)
      .where('state', '=', 'confirmed')
      .where('consent_show_name', '=', true)
      // An erased signer is counted, never named.
      .where('contact_erased_at', 'is', null)
      .where('confirmed_at', '<=', scope.cutOff)
      .where('id', '<=', scope.maxSignatureId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(chunkSize)
      .execute()
    if (rows.length === 0) return
    // Names are sealed at rest (decision 0040): opened here, a chunk at a time, as they stream out.
    const openName = await openerFor(
      rows.map((row) => row.full_name),
      executor,
    )
    yield rows.map((row) => ({ ...row, full_name: openName(row.full_name) })) as PackListRow[]
    if (rows.length < chunkSize) return
    after = rows[rows.length - 1]!.id
  }
}

/** The pack's CSV as a stream: one chunk of rows read per pull, so a million rows cost no more memory than five thousand. */
export function packCsvStream(scope: PackScope, executor: Executor = getDb(), chunkSize = PACK_CHUNK_SIZE): ReadableStream<Uint8Array> {
  let chunks: AsyncGenerator<PackListRow[]> | null = null
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!chunks) {
          chunks = namedRowChunks(scope, executor, chunkSize)
          controller.enqueue(encoder.encode(CSV_BOM + CSV_HEADER))
          return
        }
        const next = await chunks.next()
        if (next.done) {
          controller.close()
          return
        }
        controller.enqueue(encoder.encode(next.value.map(csvRow).join('')))
      },
      async cancel() {
        await chunks?.return(undefined)
      },
    },
    { highWaterMark: 1 },
  )
}

// ---------------------------------------------------------------------------------------------
// The verification code.

export interface ManifestFacts {
  campaignId: string
  cutOff: Date
  confirmedTotal: number
  namedCount: number
  countryCounts: Record<string, number>
  /** Hex SHA-256 of the CSV's bytes. */
  listSha256: string
}

/** The text the code is the SHA-256 of; every line ends in \n (decision 0013 shows how to recompute it). */
export function packManifest(facts: ManifestFacts): string {
  const countries = Object.keys(facts.countryCounts)
    .sort()
    .map((code) => `${code}=${facts.countryCounts[code]}`)
    .join(',')
  return [
    MANIFEST_HEADER,
    `campaign: ${facts.campaignId}`,
    `cut-off: ${facts.cutOff.toISOString()}`,
    `confirmed: ${facts.confirmedTotal}`,
    `named: ${facts.namedCount}`,
    `countries: ${countries}`,
    `list-sha256: ${facts.listSha256}`,
    '',
  ].join('\n')
}

export function codeOfManifest(manifest: string): string {
  return crypto.createHash('sha256').update(manifest, 'utf8').digest('hex').slice(0, CODE_HEX_LENGTH)
}

/** `3f2a9c…` → `3F2A-9C1B-…`, as printed and shown. */
export function formatCode(code: string): string {
  return code
    .toUpperCase()
    .match(/.{1,4}/g)!
    .join('-')
}

/** What a person typed or pasted → the stored form (null when it cannot be a code). */
export function normaliseCode(input: string): string | null {
  const hex = input.replace(/[\s-]/g, '').toLowerCase()
  return new RegExp(`^[0-9a-f]{${CODE_HEX_LENGTH}}$`).test(hex) ? hex : null
}

/** Hashes a pack's list exactly as its CSV would be written, without holding it. */
export async function hashPackList(scope: PackScope, executor: Executor = getDb()): Promise<{ listSha256: string; namedCount: number }> {
  const hash = crypto.createHash('sha256')
  hash.update(CSV_BOM + CSV_HEADER, 'utf8')
  let namedCount = 0
  for await (const rows of namedRowChunks(scope, executor)) {
    hash.update(rows.map(csvRow).join(''), 'utf8')
    namedCount += rows.length
  }
  return { listSha256: hash.digest('hex'), namedCount }
}

/** The manifest a pack's code was computed from (null for a pack without a stored list hash). */
export function manifestOfPack(pack: DeliveryPack): string | null {
  const listSha256 = pack.listSha256
  if (!listSha256) return null
  return packManifest({
    campaignId: pack.campaignId,
    cutOff: pack.cutOff,
    confirmedTotal: pack.confirmedTotal,
    namedCount: pack.namedCount,
    countryCounts: pack.countryCounts,
    listSha256,
  })
}

// ---------------------------------------------------------------------------------------------
// Building, finding, listing.

function toPack(row: {
  id: string
  campaign_id: string
  locale: string
  confirmed_total: number
  named_count: number
  country_counts: Record<string, number>
  max_signature_id: string
  created_at: Date
  verification_code: string
  list_sha256: string | null
  created_by: string | null
}): DeliveryPack {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    locale: isLocale(row.locale) ? row.locale : 'en',
    confirmedTotal: row.confirmed_total,
    namedCount: row.named_count,
    countryCounts: row.country_counts,
    maxSignatureId: row.max_signature_id,
    cutOff: row.created_at,
    verificationCode: row.verification_code,
    listSha256: row.list_sha256,
    createdBy: row.created_by,
  }
}

export function scopeOf(pack: DeliveryPack): PackScope {
  return { campaignId: pack.campaignId, maxSignatureId: pack.maxSignatureId, cutOff: pack.cutOff }
}

/**
 * Builds a pack of a campaign's confirmed signatures up to a cut-off a minute ago, in one
 * repeatable-read transaction (one snapshot for the counts and the list). Building the same list
 * twice in the same second returns the same pack.
 */
export async function buildDeliveryPack(actor: AuditActor & { user: { id: string } }, campaignId: string, locale: Locale): Promise<DeliveryPack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await buildOnce(actor, campaignId, locale)
    } catch (error) {
      // Two builds of the same list at once: the second's snapshot cannot see the first's row. Again, and it will.
      if (attempt < 3 && (error as { code?: string }).code === '40001') continue
      throw error
    }
  }
}

async function buildOnce(actor: AuditActor & { user: { id: string } }, campaignId: string, locale: Locale): Promise<DeliveryPack> {
  return await getDb()
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      const { rows: cut } = await sql<{ cut_off: Date }>`
        select date_trunc('second', now()) - ${sql.raw(CUT_OFF_MARGIN)} as cut_off`.execute(tx)
      const cutOff = cut[0]!.cut_off
      const counts = await tx
        .selectFrom('signatures')
        .select(['country', sql<number>`count(*)::int`.as('count'), sql<string>`max(id)`.as('max_id')])
        .where('campaign_id', '=', campaignId)
        .where('state', '=', 'confirmed')
        .where('confirmed_at', '<=', cutOff)
        .groupBy('country')
        .execute()
      const countryCounts: Record<string, number> = {}
      let confirmedTotal = 0
      let maxSignatureId = 0n
      for (const row of counts) {
        countryCounts[row.country] = row.count
        confirmedTotal += row.count
        if (BigInt(row.max_id) > maxSignatureId) maxSignatureId = BigInt(row.max_id)
      }
      const scope = { campaignId, maxSignatureId: maxSignatureId.toString(), cutOff }
      const { listSha256, namedCount } = await hashPackList(scope, tx)
      const code = codeOfManifest(packManifest({ campaignId, cutOff, confirmedTotal, namedCount, countryCounts, listSha256 }))
      const inserted = await tx
        .insertInto('delivery_packs')
        .values({
          campaign_id: campaignId,
          locale,
          confirmed_total: confirmedTotal,
          named_count: namedCount,
          country_counts: JSON.stringify(countryCounts),
          max_signature_id: scope.maxSignatureId,
          verification_code: code,
          list_sha256: listSha256,
          created_by: actor.user.id,
          created_at: cutOff,
        })
        .onConflict((oc) => oc.column('verification_code').doNothing())
        .returningAll()
        .executeTakeFirst()
      if (!inserted) {
        return toPack(await tx.selectFrom('delivery_packs').selectAll().where('verification_code', '=', code).executeTakeFirstOrThrow())
      }
      await recordAudit(tx, actor, {
        action: 'delivery_pack.built',
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: { pack_id: inserted.id, confirmed_total: confirmedTotal, named_count: namedCount, locale },
      })
      return toPack(inserted)
    })
}

export async function findCampaignPack(campaignId: string, packId: string | undefined, executor: Executor = getDb()) {
  if (!packId || !/^[1-9][0-9]{0,17}$/.test(packId)) return null
  const row = await executor.selectFrom('delivery_packs').selectAll().where('id', '=', packId).where('campaign_id', '=', campaignId).executeTakeFirst()
  return row ? toPack(row) : null
}

export async function listCampaignPacks(campaignId: string, executor: Executor = getDb()) {
  const rows = await executor
    .selectFrom('delivery_packs as p')
    .leftJoin('users as u', 'u.id', 'p.created_by')
    .selectAll('p')
    .select(['u.name as creator_name', 'u.email as creator_email'])
    .where('p.campaign_id', '=', campaignId)
    .orderBy('p.id', 'desc')
    .limit(100)
    .execute()
  return rows.map((row) => ({ ...toPack(row), createdByName: row.creator_name ?? row.creator_email ?? null }))
}

/** Records that someone downloaded a pack's personal data (who and which pack; never the list). */
export async function recordPackDownload(actor: AuditActor, pack: DeliveryPack, format: 'pdf' | 'csv') {
  await recordAudit(getDb(), actor, {
    action: 'delivery_pack.downloaded',
    subjectType: 'campaign',
    subjectId: pack.campaignId,
    changes: { pack_id: pack.id, format },
  })
}

export interface VerifiedPack {
  code: string
  cutOff: Date
  confirmedTotal: number
  namedCount: number
  countryCounts: Record<string, number>
  campaign: { id: string; slug: string; title: string; public: boolean }
  pack: DeliveryPack
}

/** The pack a code names, with its campaign's title in the reader's language; counts only, never names. */
export async function findPackByCode(code: string, locale: Locale, executor: Executor = getDb()): Promise<VerifiedPack | null> {
  const row = await executor
    .selectFrom('delivery_packs as p')
    .innerJoin('campaigns as c', 'c.id', 'p.campaign_id')
    .leftJoin('campaign_translations as t', (join) => join.onRef('t.campaign_id', '=', 'c.id').on('t.locale', '=', locale).on('t.title', '<>', ''))
    .selectAll('p')
    .select(['c.slug', 'c.status', sql<string>`coalesce(t.title, c.title)`.as('title')])
    .where('p.verification_code', '=', code)
    .executeTakeFirst()
  if (!row) return null
  const pack = toPack(row)
  return {
    code: pack.verificationCode,
    cutOff: pack.cutOff,
    confirmedTotal: pack.confirmedTotal,
    namedCount: pack.namedCount,
    countryCounts: pack.countryCounts,
    campaign: { id: row.campaign_id, slug: row.slug, title: row.title, public: row.status !== 'draft' },
    pack,
  }
}
