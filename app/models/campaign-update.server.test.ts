import { describe, expect, it } from 'vitest'
import { createCampaign } from '../../tests/support/factories'
import { queuedJobs } from '../../tests/support/jobs'
import { createCampaignUpdate, startUpdateSend, UpdateNotSendableError } from './campaign-update.server'
import { getDb } from '~/utils/db.server'

const db = () => getDb()

describe('the contract', () => {
  it('creates a draft with its translations', async () => {
    const campaign = await createCampaign(db())
    const { id } = await createCampaignUpdate(db(), {
      campaignId: campaign.id,
      kind: 'milestone',
      content: [
        { locale: 'en', subject: '1,000 signatures', body: 'Thank you' },
        { locale: 'ru', subject: '1 000 подписей', body: 'Спасибо' },
      ],
      createdBy: null,
      public: false,
    })
    const update = await db().selectFrom('campaign_updates').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(update).toMatchObject({ kind: 'milestone', status: 'draft', public: false, version: 1 })
    const translations = await db().selectFrom('campaign_update_translations').selectAll().where('update_id', '=', id).orderBy('locale').execute()
    expect(translations.map((t) => t.locale)).toEqual(['en', 'ru'])
  })

  it('starts sending once: marks the draft sending and queues one job, in the caller’s transaction', async () => {
    const campaign = await createCampaign(db())
    const { id } = await createCampaignUpdate(db(), {
      campaignId: campaign.id,
      kind: 'update',
      content: [{ locale: 'en', subject: 'S', body: 'B' }],
      createdBy: null,
    })

    // Rolled back with the caller's transaction: nothing happened.
    await expect(
      db()
        .transaction()
        .execute(async (tx) => {
          await startUpdateSend(tx, id, null)
          throw new Error('rollback')
        }),
    ).rejects.toThrow('rollback')
    expect(await queuedJobs('send-campaign-update')).toHaveLength(0)

    await db()
      .transaction()
      .execute(async (tx) => startUpdateSend(tx, id, null))
    await startUpdateSend(db(), id, null)
    const jobs = await queuedJobs('send-campaign-update')
    expect(jobs).toHaveLength(1)
    expect(jobs[0]!.payload).toEqual({ updateId: id })
    const update = await db().selectFrom('campaign_updates').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(update.status).toBe('sending')
    expect(update.send_started_at).toBeInstanceOf(Date)

    await expect(startUpdateSend(db(), '999999', null)).rejects.toBeInstanceOf(UpdateNotSendableError)
  })
})
