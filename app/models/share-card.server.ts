import crypto from 'node:crypto'
import { sql } from 'kysely'
import { getPublicMilestones, type PublicCampaign } from '~/models/campaign.server'
import { getDb, type Executor } from '~/utils/db.server'
import { type Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { drawShareCard, ShareCardBusyError } from '~/utils/share-card-image.server'

/** How far the count must move (as a share of the drawn count) before the card is redrawn. */
export const REDRAW_SHARE = 0.05

export interface ShareCard {
  png: Buffer
  sha256: string
  signatureCount: number
}

/**
 * Whether a card drawn for `drawn` signatures is stale at `current`: the count moved by 5% or
 * more, or it crossed a milestone or the goal since (decision 0036).
 */
export function cardIsStale(drawn: number, current: number, thresholds: number[]): boolean {
  if (drawn === current) return false
  if (Math.abs(current - drawn) >= Math.max(1, Math.ceil(drawn * REDRAW_SHARE))) return true
  const [low, high] = drawn < current ? [drawn, current] : [current, drawn]
  return thresholds.some((t) => t > low && t <= high)
}

/** The absolute URL of the campaign's preview image: its hero image, else its share card. */
export function shareImageUrl(appUrl: string, campaign: { slug: string; heroImage: { url: string } | null }, locale: Locale): string {
  return campaign.heroImage ? `${appUrl}${campaign.heroImage.url}` : `${appUrl}${shareCardPath(campaign.slug, locale)}`
}

export function shareCardPath(slug: string, locale: Locale): string {
  return `/campaigns/${encodeURIComponent(slug)}/share-card.png?lang=${locale}`
}

/** Draws in progress, so that many requests for one missing card wait for a single drawing. */
const drawing = new Map<string, Promise<Buffer>>()

/**
 * The stored card for the campaign in `locale`, drawn (again) when missing, stale or its text
 * changed. While the drawing thread is full, a stale card is served as it is; with none stored,
 * null (the caller asks to retry later).
 */
export async function getShareCard(campaign: PublicCampaign, locale: Locale, executor: Executor = getDb()): Promise<ShareCard | null> {
  const t = makeTranslator(locale)
  const text = {
    title: campaign.content.title,
    count: t('reach.shareCard.signatures', { count: campaign.signatureCount }),
    byline: t('reach.shareCard.by', { name: campaign.organisation.name }),
    colour: campaign.organisation.brand_colour ?? null,
  }
  const inputsHash = crypto
    .createHash('sha256')
    .update(JSON.stringify([text.title, text.byline, text.colour]))
    .digest('hex')
  const stored = await executor
    .selectFrom('campaign_share_cards')
    .select(['png', 'sha256', 'signature_count', 'inputs_hash'])
    .where('campaign_id', '=', campaign.id)
    .where('locale', '=', locale)
    .executeTakeFirst()
  if (stored && stored.inputs_hash === inputsHash) {
    const thresholds = [...(await getPublicMilestones(campaign, executor)).map((m) => m.threshold), campaign.signatureGoal]
    if (!cardIsStale(stored.signature_count, campaign.signatureCount, thresholds)) {
      return {
        png: stored.png,
        sha256: stored.sha256,
        signatureCount: stored.signature_count,
      }
    }
  }
  const key = `${campaign.id}:${locale}:${inputsHash}:${campaign.signatureCount}`
  let draw = drawing.get(key)
  if (!draw) {
    draw = drawShareCard(text).finally(() => drawing.delete(key))
    drawing.set(key, draw)
  }
  let png: Buffer
  try {
    png = await draw
  } catch (error) {
    if (!(error instanceof ShareCardBusyError)) throw error
    return stored ? { png: stored.png, sha256: stored.sha256, signatureCount: stored.signature_count } : null
  }
  const sha256 = crypto.createHash('sha256').update(png).digest('hex')
  await executor
    .insertInto('campaign_share_cards')
    .values({
      campaign_id: campaign.id,
      locale,
      png,
      sha256,
      inputs_hash: inputsHash,
      signature_count: campaign.signatureCount,
    })
    .onConflict((oc) =>
      oc.columns(['campaign_id', 'locale']).doUpdateSet({
        png,
        sha256,
        inputs_hash: inputsHash,
        signature_count: campaign.signatureCount,
        created_at: sql<Date>`now()`,
      }),
    )
    .execute()
  return { png, sha256, signatureCount: campaign.signatureCount }
}
