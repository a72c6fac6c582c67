import { sql } from 'kysely'
import type { CheckedImage } from '~/models/campaign-image.server'
import { recordAudit } from '~/models/audit.server'
import { auditChanges, diffSnapshots, type CampaignChange } from '~/models/campaign-changes.server'
import { DEFAULT_SIGNATURE_GOAL, SLUG_MAX, slugify, type LocaleContent } from '~/models/campaign-fields'
import { loadEditable, snapshotOf, type CampaignSettings, type CampaignSnapshot, type EditableCampaign } from '~/models/editable-campaign.server'
import type { AdminContext } from '~/utils/permissions'
import { getDb, type Tx } from '~/utils/db.server'
import type { Locale } from '~/utils/i18n'

// The workspace's writes to a campaign: drafting, and saving one locale's texts with the shared
// settings under an optimistic lock, slug changes included. Rules and reasons:
// docs/decisions/0008-campaign-editing.md.

// Slugs must be unique across two tables (current slugs and redirects): changes take this lock.
async function lockSlugs(tx: Tx) {
  await sql`select pg_advisory_xact_lock(hashtext('chorus:campaign-slugs'))`.execute(tx)
}

/** Whether a slug is free for this campaign: nobody else's current slug and nobody else's old one. */
async function slugIsFree(tx: Tx, slug: string, campaignId: string | null): Promise<boolean> {
  const current = await tx.selectFrom('campaigns').select('id').where('slug', '=', slug).executeTakeFirst()
  if (current && current.id !== campaignId) return false
  const redirect = await tx.selectFrom('campaign_slug_redirects').select('campaign_id').where('slug', '=', slug).executeTakeFirst()
  return !redirect || redirect.campaign_id === campaignId
}

async function freeSlugFrom(tx: Tx, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base.slice(0, SLUG_MAX - String(n).length - 1)}-${n}`
    if (await slugIsFree(tx, candidate, null)) return candidate
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

async function insertRevision(tx: Tx, campaignId: string, version: number, snapshot: CampaignSnapshot, userId: string | null) {
  await tx
    .insertInto('campaign_revisions')
    .values({ campaign_id: campaignId, version, snapshot: JSON.stringify(snapshot), user_id: userId })
    .onConflict((oc) => oc.columns(['campaign_id', 'version']).doNothing())
    .execute()
}

/** A new draft with only a title: everything else is filled in in the editor. */
export async function createDraft(admin: AdminContext, input: { title: string; locale: Locale }): Promise<{ id: string; slug: string }> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      await lockSlugs(tx)
      const slug = await freeSlugFrom(tx, slugify(input.title))
      const row = await tx
        .insertInto('campaigns')
        .values({
          organisation_id: admin.organisation.id,
          slug,
          locale: input.locale,
          title: input.title,
          summary: '',
          story: '',
          target_name: '',
          target_role: '',
          demand: '',
          signature_goal: DEFAULT_SIGNATURE_GOAL,
          status: 'draft',
          show_recent_signers: true,
        })
        .returning(['id', 'slug'])
        .executeTakeFirstOrThrow()
      const campaign = (await loadEditable(tx, row.id, admin.organisation.id))!
      await insertRevision(tx, row.id, campaign.version, snapshotOf(campaign), admin.user.id)
      await recordAudit(tx, admin, {
        action: 'campaign.created',
        subjectType: 'campaign',
        subjectId: row.id,
        changes: { title: { from: null, to: input.title }, slug: { from: null, to: slug }, locale: { from: null, to: input.locale } },
      })
      return row
    })
}

/** What the editor sends for one locale. Settings are shared by all locales. */
export interface CampaignEditValues {
  content: LocaleContent
  settings: Omit<CampaignSettings, 'closes_at'> & { closes_at: Date | null }
  /** In the base locale the whole list (thresholds and texts); elsewhere only texts, by threshold. */
  milestones: { threshold: number; description: string }[]
  /** undefined keeps the image, null removes it, an image replaces it. */
  image?: CheckedImage | null
}

export type UpdateResult =
  | { status: 'not-found' }
  | { status: 'saved'; version: number; changes: CampaignChange[] }
  | { status: 'unchanged'; version: number }
  | { status: 'slug-taken' }
  | {
      status: 'conflict'
      version: number
      /** Null when the version the editor started from is no longer known. */
      changes: CampaignChange[] | null
      by: { email: string; name: string | null }[]
    }

/**
 * Saves one locale's texts and the shared settings, if nobody has saved since `expectedVersion`.
 * A stale save writes nothing and answers with what changed since that version and who changed it.
 * Every save is one transaction: the campaign, its revision and its audit event.
 */
export async function updateCampaignContent(
  admin: AdminContext,
  campaignId: string,
  locale: Locale,
  values: CampaignEditValues,
  expectedVersion: number,
): Promise<UpdateResult> {
  return await getDb()
    .transaction()
    .execute(async (tx): Promise<UpdateResult> => {
      const before = await loadEditable(tx, campaignId, admin.organisation.id, true)
      if (!before) return { status: 'not-found' }
      if (before.version !== expectedVersion) return await conflict(tx, before, expectedVersion)

      const isBase = locale === before.baseLocale
      const settings = values.settings
      const newSlug = settings.slug
      if (newSlug !== before.settings.slug) {
        await lockSlugs(tx)
        if (!(await slugIsFree(tx, newSlug, campaignId))) return { status: 'slug-taken' }
        await tx.deleteFrom('campaign_slug_redirects').where('slug', '=', newSlug).where('campaign_id', '=', campaignId).execute()
        await tx.insertInto('campaign_slug_redirects').values({ slug: before.settings.slug, campaign_id: campaignId }).execute()
      }

      await tx
        .updateTable('campaigns')
        .set({
          slug: newSlug,
          signature_goal: settings.signature_goal,
          closes_at: settings.closes_at,
          show_recent_signers: settings.show_recent_signers,
          donation_currency: settings.donation_currency,
          donation_presets: settings.donation_presets,
          show_donation_totals: settings.show_donation_totals,
          milestone_updates: settings.milestone_updates,
          ...(isBase ? values.content : {}),
        })
        .where('id', '=', campaignId)
        .execute()
      if (!isBase) {
        await tx
          .insertInto('campaign_translations')
          .values({ campaign_id: campaignId, locale, ...values.content })
          .onConflict((oc) => oc.columns(['campaign_id', 'locale']).doUpdateSet({ ...values.content, updated_at: sql`now()` }))
          .execute()
      }
      await saveMilestones(tx, campaignId, locale, isBase, values.milestones)
      if (values.image !== undefined) await replaceImage(tx, campaignId, before.heroImage?.id ?? null, values.image, admin.user.id)

      const afterRead = (await loadEditable(tx, campaignId, admin.organisation.id))!
      const changes = diffSnapshots(before, afterRead)
      if (changes.length === 0) {
        // Nothing differs: no new version, so nobody else's open editor goes stale for nothing.
        return { status: 'unchanged', version: before.version }
      }
      const version = before.version + 1
      const consentChanged = changes.some((c) => c.field === 'consent_updates_text' || c.field === 'consent_show_name_text')
      await tx
        .updateTable('campaigns')
        .set({
          version,
          updated_at: sql`now()`,
          // Signatures record which wording they agreed to; the revision at this version holds it.
          ...(consentChanged ? { consent_version: `campaign-${campaignId}-v${version}` } : {}),
        })
        .where('id', '=', campaignId)
        .execute()
      // Campaigns older than the editor have no first revision: keep it before the new one.
      await insertRevision(tx, campaignId, before.version, snapshotOf(before), null)
      await insertRevision(tx, campaignId, version, snapshotOf(afterRead), admin.user.id)
      await recordAudit(tx, admin, {
        action: 'campaign.updated',
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: { version: { from: before.version, to: version }, ...auditChanges(changes) },
      })
      return { status: 'saved', version, changes }
    })
}

async function conflict(tx: Tx, current: EditableCampaign, expectedVersion: number): Promise<UpdateResult> {
  const [revision, authors] = await Promise.all([
    tx.selectFrom('campaign_revisions').select('snapshot').where('campaign_id', '=', current.id).where('version', '=', expectedVersion).executeTakeFirst(),
    tx
      .selectFrom('campaign_revisions as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select(['u.email', 'u.name'])
      .distinct()
      .where('r.campaign_id', '=', current.id)
      .where('r.version', '>', expectedVersion)
      .orderBy('u.email')
      .execute(),
  ])
  return {
    status: 'conflict',
    version: current.version,
    changes: revision ? diffSnapshots(revision.snapshot as unknown as CampaignSnapshot, current) : null,
    by: authors,
  }
}

async function saveMilestones(tx: Tx, campaignId: string, locale: Locale, isBase: boolean, milestones: { threshold: number; description: string }[]) {
  const existing = await tx.selectFrom('campaign_milestones').select(['id', 'threshold']).where('campaign_id', '=', campaignId).execute()
  const byThreshold = new Map(existing.map((m) => [m.threshold, m.id]))
  if (isBase) {
    const keep = new Set(milestones.map((m) => m.threshold))
    const gone = existing.filter((m) => !keep.has(m.threshold)).map((m) => m.id)
    if (gone.length) await tx.deleteFrom('campaign_milestones').where('id', 'in', gone).execute()
    for (const m of milestones) {
      if (byThreshold.has(m.threshold)) continue
      const row = await tx
        .insertInto('campaign_milestones')
        .values({ campaign_id: campaignId, threshold: m.threshold })
        .returning('id')
        .executeTakeFirstOrThrow()
      byThreshold.set(m.threshold, row.id)
    }
  }
  for (const m of milestones) {
    const id = byThreshold.get(m.threshold)
    // A translation names only existing milestones; the base locale decides which exist.
    if (!id) continue
    await tx
      .insertInto('campaign_milestone_translations')
      .values({ milestone_id: id, locale, description: m.description })
      .onConflict((oc) => oc.columns(['milestone_id', 'locale']).doUpdateSet({ description: m.description }))
      .execute()
  }
}

async function replaceImage(tx: Tx, campaignId: string, oldImageId: string | null, image: CheckedImage | null, userId: string) {
  let newId: string | null = null
  if (image) {
    const row = await tx
      .insertInto('campaign_images')
      .values({
        campaign_id: campaignId,
        content_type: image.contentType,
        bytes: image.bytes,
        byte_size: image.bytes.length,
        sha256: image.sha256,
        width: image.width,
        height: image.height,
        created_by: userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    newId = row.id
  }
  await tx.updateTable('campaigns').set({ hero_image_id: newId }).where('id', '=', campaignId).execute()
  // The old image's URL was cached "immutable" for a year; browsers keep their copy, we need not.
  if (oldImageId) await tx.deleteFrom('campaign_images').where('id', '=', oldImageId).execute()
}
