import type { DeliveryMethod } from '#db/types'
import { recordAudit, type AuditActor } from '~/models/audit.server'
import { createCampaignUpdate, startUpdateSend, type UpdateContent } from '~/models/campaign-update.server'
import type { RecordDeliveryInput } from '~/models/delivery-schema'
import { getDb, type Executor } from '~/utils/db.server'
import { formatDate, isLocale, type Locale } from '~/utils/i18n'
import { translate } from '~/utils/i18n.server'

// Deliveries of a campaign's signatures to the people it addresses (decision 0013). The public
// timeline reads campaign_deliveries; signers hear about one through a 'delivery' update.

export interface CampaignDelivery {
  id: string
  deliveredOn: string
  recipient: string
  method: DeliveryMethod
  notes: string
  signatureCount: number
  packId: string | null
  packCode: string | null
  updateId: string | null
  createdAt: Date
}

export async function listCampaignDeliveries(campaignId: string, executor: Executor = getDb()): Promise<CampaignDelivery[]> {
  const rows = await executor
    .selectFrom('campaign_deliveries as d')
    .leftJoin('delivery_packs as p', 'p.id', 'd.pack_id')
    .select([
      'd.id',
      (eb) => eb.cast<string>('d.delivered_on', 'text').as('delivered_on'),
      'd.recipient',
      'd.method',
      'd.notes',
      'd.signature_count',
      'd.pack_id',
      'p.verification_code',
      'd.update_id',
      'd.created_at',
    ])
    .where('d.campaign_id', '=', campaignId)
    .orderBy('d.delivered_on', 'desc')
    .orderBy('d.id', 'desc')
    .limit(200)
    .execute()
  return rows.map((r) => ({
    id: r.id,
    deliveredOn: r.delivered_on,
    recipient: r.recipient,
    method: r.method,
    notes: r.notes,
    signatureCount: r.signature_count,
    packId: r.pack_id,
    packCode: r.verification_code,
    updateId: r.update_id,
    createdAt: r.created_at,
  }))
}

/** The languages a campaign is written in: its base language first, then its translations. */
export async function campaignLocales(campaignId: string, executor: Executor = getDb()): Promise<Locale[]> {
  const campaign = await executor.selectFrom('campaigns').select('locale').where('id', '=', campaignId).executeTakeFirstOrThrow()
  const translations = await executor
    .selectFrom('campaign_translations')
    .select('locale')
    .where('campaign_id', '=', campaignId)
    .where('title', '<>', '')
    .orderBy('locale')
    .execute()
  const locales = [campaign.locale, ...translations.map((t) => t.locale)].filter(isLocale)
  return [...new Set(locales)]
}

/** Recipient names go into a markdown body: their punctuation must stay text. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (c) => `\\${c}`)
}

/** The "your signatures were delivered" update, in each of the campaign's languages. */
export async function deliveryUpdateContent(
  executor: Executor,
  campaignId: string,
  delivery: { recipient: string; deliveredOn: string; signatureCount: number },
): Promise<UpdateContent[]> {
  const locales = await campaignLocales(campaignId, executor)
  const titles = await executor
    .selectFrom('campaigns as c')
    .leftJoin('campaign_translations as t', 't.campaign_id', 'c.id')
    .select(['c.locale as base_locale', 'c.title as base_title', 't.locale', 't.title'])
    .where('c.id', '=', campaignId)
    .execute()
  const titleIn = (locale: Locale) => titles.find((r) => r.locale === locale && r.title)?.title ?? titles[0]!.base_title
  return locales.map((locale) => {
    const vars = {
      recipient: escapeMarkdown(delivery.recipient),
      date: formatDate(locale, `${delivery.deliveredOn}T00:00:00Z`, 'long'),
      count: delivery.signatureCount,
      title: titleIn(locale),
    }
    return {
      locale,
      subject: translate(locale, 'delivery.update.subject', { title: titleIn(locale) }),
      body: `${translate(locale, 'delivery.update.body', vars)}\n\n${translate(locale, 'delivery.update.count', { count: delivery.signatureCount })}`,
    }
  })
}

export type RecordDeliveryResult = { status: 'recorded'; deliveryId: string; updateId: string | null } | { status: 'pack-not-found' }

/**
 * Records a delivery, and with `notify` creates and starts the 'delivery' update to signers who
 * asked for updates, all in one transaction: both are kept or neither.
 */
export async function recordDelivery(
  actor: AuditActor & { user: { id: string } },
  campaignId: string,
  input: Omit<RecordDeliveryInput, 'intent'>,
): Promise<RecordDeliveryResult> {
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      let signatureCount: number
      if (input.packId) {
        const pack = await tx
          .selectFrom('delivery_packs')
          .select('confirmed_total')
          .where('id', '=', input.packId)
          .where('campaign_id', '=', campaignId)
          .executeTakeFirst()
        if (!pack) return { status: 'pack-not-found' as const }
        signatureCount = pack.confirmed_total
      } else {
        const campaign = await tx.selectFrom('campaigns').select('signature_count').where('id', '=', campaignId).executeTakeFirstOrThrow()
        signatureCount = campaign.signature_count
      }
      const delivery = await tx
        .insertInto('campaign_deliveries')
        .values({
          campaign_id: campaignId,
          pack_id: input.packId ?? null,
          delivered_on: input.deliveredOn,
          recipient: input.recipient,
          method: input.method,
          notes: input.notes,
          signature_count: signatureCount,
          created_by: actor.user.id,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      let updateId: string | null = null
      if (input.notify) {
        const content = await deliveryUpdateContent(tx, campaignId, { recipient: input.recipient, deliveredOn: input.deliveredOn, signatureCount })
        // Not public: the timeline already shows the delivery itself, from campaign_deliveries.
        const update = await createCampaignUpdate(tx, { campaignId, kind: 'delivery', content, createdBy: actor.user.id, public: false })
        await startUpdateSend(tx, update.id, actor.user.id)
        await tx.updateTable('campaign_deliveries').set({ update_id: update.id }).where('id', '=', delivery.id).execute()
        updateId = update.id
      }
      await recordAudit(tx, actor, {
        action: 'delivery.recorded',
        subjectType: 'campaign',
        subjectId: campaignId,
        changes: {
          delivery_id: delivery.id,
          delivered_on: input.deliveredOn,
          method: input.method,
          pack_id: input.packId ?? null,
          signature_count: signatureCount,
          update_id: updateId,
        },
      })
      return { status: 'recorded' as const, deliveryId: delivery.id, updateId }
    })
}
