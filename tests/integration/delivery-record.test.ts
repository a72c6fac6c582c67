import { describe, expect, it } from 'vitest'
import { adminForm, createAdmin, type TestAdmin } from '../support/admin'
import { createCampaign, createSignature } from '../support/factories'
import { queuedJobs } from '../support/jobs'
import { callRoute } from '../support/routes'
import { SEND_UPDATE_TASK } from '~/models/campaign-update.server'
import { buildDeliveryPack } from '~/models/delivery-pack.server'
import { action as deliverAction, loader as deliverLoader } from '~/routes/admin.campaigns.$campaignId.deliver'
import { getDb } from '~/utils/db.server'
import { type MessageKey } from '~/utils/i18n'
import { translate } from '~/utils/i18n.server'

async function world() {
  const db = getDb()
  const owner = await createAdmin(db, { role: 'owner' })
  const campaign = await createCampaign(db, {
    organisation_id: owner.organisation.id,
    title: 'Save the old library',
    signature_count: 1234,
    translations: { ru: { title: 'Спасите старую библиотеку', summary: 'Кратко.', demand: 'Требуем.', target_name: 'Мэр' } },
  })
  return { owner, campaign }
}

function record(admin: TestAdmin, campaignId: string, values: Record<string, string>) {
  return callRoute(deliverAction, {
    url: `/admin/campaigns/${campaignId}/deliver`,
    method: 'POST',
    params: { campaignId },
    headers: admin.headers,
    body: adminForm(admin, { intent: 'record', ...values }),
  })
}

const valid = { deliveredOn: '2026-11-20', recipient: 'Jane Doe, Mayor', method: 'in_person', notes: 'Handed over at the town hall.' }

describe('recording a delivery', () => {
  it('refuses bad input with 400 and translated messages, writing nothing', async () => {
    const { owner, campaign } = await world()
    const other = await createCampaign(getDb(), { organisation_id: owner.organisation.id })
    const otherPack = await buildDeliveryPack(owner.context, other.id, 'en')
    const cases: [Record<string, string>, string, MessageKey][] = [
      [{ ...valid, recipient: '  ' }, 'recipient', 'delivery.error.recipient'],
      [{ ...valid, recipient: 'x'.repeat(301) }, 'recipient', 'delivery.error.recipientTooLong'],
      [{ ...valid, method: 'carrier-pigeon' }, 'method', 'delivery.error.method'],
      [{ ...valid, deliveredOn: '2026-02-30' }, 'deliveredOn', 'delivery.error.date'],
      [{ ...valid, deliveredOn: '2999-01-01' }, 'deliveredOn', 'delivery.error.dateFuture'],
      [{ ...valid, notes: 'n'.repeat(2001) }, 'notes', 'delivery.error.notesTooLong'],
      [{ ...valid, packId: otherPack.id }, 'packId', 'delivery.error.pack'],
    ]
    for (const [values, field, key] of cases) {
      const outcome = await record(owner, campaign.id, values)
      expect(outcome.status, key).toBe(400)
      expect(outcome.data.result.error[field], key).toEqual([key])
      for (const locale of ['en', 'ru'] as const) expect(translate(locale, key)).not.toBe(key)
    }
    expect(await getDb().selectFrom('campaign_deliveries').selectAll().execute()).toEqual([])
    const unknownIntent = await callRoute(deliverAction, {
      url: `/admin/campaigns/${campaign.id}/deliver`,
      method: 'POST',
      params: { campaignId: campaign.id },
      headers: owner.headers,
      body: adminForm(owner, { intent: 'nonsense' }),
    })
    expect(unknownIntent.status).toBe(400)
  })

  it('records a delivery with the current count, audited, and tells nobody when not asked', async () => {
    const { owner, campaign } = await world()
    const outcome = await record(owner, campaign.id, valid)
    expect(outcome.status).toBe(302)
    expect(outcome.headers.get('Location')).toBe(`/admin/campaigns/${campaign.id}/deliver?done=recorded#deliveries`)
    const rows = await getDb()
      .selectFrom('campaign_deliveries')
      .select([
        'recipient',
        'method',
        'notes',
        'signature_count',
        'pack_id',
        'update_id',
        'created_by',
        (eb) => eb.cast<string>('delivered_on', 'text').as('on'),
      ])
      .execute()
    expect(rows).toEqual([
      {
        recipient: 'Jane Doe, Mayor',
        method: 'in_person',
        notes: 'Handed over at the town hall.',
        signature_count: 1234,
        pack_id: null,
        update_id: null,
        created_by: owner.user.id,
        on: '2026-11-20',
      },
    ])
    expect(await getDb().selectFrom('campaign_updates').selectAll().execute()).toEqual([])
    expect(await queuedJobs(SEND_UPDATE_TASK)).toEqual([])
    const audit = await getDb().selectFrom('audit_events').select(['action', 'subject_id', 'changes']).where('action', '=', 'delivery.recorded').execute()
    expect(audit).toEqual([
      expect.objectContaining({ subject_id: campaign.id, changes: expect.objectContaining({ method: 'in_person', signature_count: 1234, update_id: null }) }),
    ])

    const page = await callRoute(deliverLoader, {
      url: `/admin/campaigns/${campaign.id}/deliver?done=recorded`,
      params: { campaignId: campaign.id },
      headers: owner.headers,
    })
    expect(page.data.done).toBe('recorded')
    expect(page.data.deliveries).toEqual([
      expect.objectContaining({ recipient: 'Jane Doe, Mayor', deliveredOn: '2026-11-20', signatureCount: 1234, updateId: null }),
    ])
  })

  it('with the box ticked, creates and starts a delivery update in every language, in the same transaction', async () => {
    const { owner, campaign } = await world()
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', confirmed_at: new Date(Date.now() - 3_600_000) })
    const pack = await buildDeliveryPack(owner.context, campaign.id, 'en')
    const outcome = await record(owner, campaign.id, { ...valid, recipient: 'Dr. Jane *Doe*', packId: pack.id, notify: 'on' })
    expect(outcome.status).toBe(302)
    const delivery = await getDb().selectFrom('campaign_deliveries').selectAll().executeTakeFirstOrThrow()
    expect(delivery).toMatchObject({ pack_id: pack.id, signature_count: 1 })
    expect(delivery.update_id).not.toBeNull()
    const update = await getDb().selectFrom('campaign_updates').selectAll().where('id', '=', delivery.update_id!).executeTakeFirstOrThrow()
    expect(update).toMatchObject({ kind: 'delivery', status: 'sending', campaign_id: campaign.id, created_by: owner.user.id })
    const translations = await getDb().selectFrom('campaign_update_translations').select(['locale', 'subject', 'body']).orderBy('locale').execute()
    expect(translations.map((t) => t.locale)).toEqual(['en', 'ru'])
    expect(translations[0]!.subject).toBe('Your signatures were delivered: Save the old library')
    expect(translations[0]!.body).toContain('Your signatures were delivered to Dr\\. Jane \\*Doe\\* on November 20, 2026.')
    expect(translations[1]!.subject).toBe('Ваши подписи переданы: Спасите старую библиотеку')
    expect(translations[1]!.body).toContain('20 ноября 2026')
    expect(await queuedJobs(SEND_UPDATE_TASK)).toEqual([expect.objectContaining({ payload: { updateId: delivery.update_id } })])
    const audit = await getDb().selectFrom('audit_events').select('changes').where('action', '=', 'delivery.recorded').executeTakeFirstOrThrow()
    expect(audit.changes).toMatchObject({ pack_id: pack.id, update_id: delivery.update_id })
  })

  it('refuses a viewer', async () => {
    const { owner, campaign } = await world()
    const viewer = await createAdmin(getDb(), { role: 'viewer', organisationId: owner.organisation.id })
    const outcome = await record(viewer, campaign.id, valid)
    expect(outcome.status).toBe(403)
    expect(await getDb().selectFrom('campaign_deliveries').selectAll().execute()).toEqual([])
  })
})
