import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { queuedJobs, runDueJobs } from '../../tests/support/jobs'
import { rowsOf, sendUpdate, updateRow, updateTo } from '../../tests/support/update-send'
import { createCampaignUpdate, startUpdateSend } from './campaign-update.server'
import { cancelUpdateSend, getUpdateProgress } from './campaign-update-workspace.server'
import { resumeStalledUpdateSends, runUpdateFanOut } from './campaign-update-send.server'
import { removeSignature } from './supporter.server'
import { getDb } from '~/utils/db.server'
import { readUnsubscribeToken } from '~/utils/unsubscribe.server'

const db = () => getDb()

describe('fan-out through the development mailbox', () => {
  it('sends everyone once, in their language, with their own unsubscribe link, and marks the update sent', async () => {
    const { updateId } = await updateTo(250)
    const outcome = await sendUpdate(updateId)
    expect(outcome).toMatchObject({ status: 'queued', audience: 250, batches: 3 })
    const rows = await rowsOf(updateId)
    expect(rows.every((r) => r.status === 'sent' && r.provider_id === `mailbox-${r.id}`)).toBe(true)
    expect(rows.every((r) => r.priority === 10)).toBe(true)
    const russian = rows.find((r) => r.locale === 'ru')!
    expect(russian.subject).toBe('Мы встретились с министром')
    expect(russian.html).toContain('lang="ru"')
    expect(russian.html).toContain('Свободу правозащитникам')
    const english = rows.find((r) => r.locale === 'en')!
    expect(english.html).toContain('<strong>well</strong>')
    expect(english.html).not.toContain('<script>')
    for (const row of [russian, english]) {
      const link = new RegExp(`http://localhost:3000/unsubscribe/([^"?\\s\\]]+)\\?lang=${row.locale}`).exec(row.html!)
      expect(link, 'unsubscribe link in the body').not.toBeNull()
      expect(readUnsubscribeToken(link![1]!)).toBe(row.signature_id)
      expect(row.text).toContain(link![0])
    }
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 250, failed_count: 0, audience_size: 250 })
    expect((await updateRow(updateId)).sent_at).toBeInstanceOf(Date)
    expect(await getUpdateProgress(updateId)).toEqual({ audience: 250, sent: 250, failed: 0, skipped: 0, remaining: 0, delayed: null })
  })

  it('runs as a job after startUpdateSend, once', async () => {
    const { updateId } = await updateTo(3)
    await runDueJobs()
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 3 })
    expect(await queuedJobs('send-campaign-update')).toHaveLength(0)
    // Asking again changes nothing: the update is sent.
    await startUpdateSend(db(), updateId, null)
    expect(await queuedJobs('send-campaign-update')).toHaveLength(0)
  })

  it('leaves out signers who unsubscribed, were suppressed or removed after the audience was written', async () => {
    const { campaign, updateId } = await updateTo(230)
    const signers = await db().selectFrom('signatures').select(['id', 'email_index']).where('campaign_id', '=', campaign.id).orderBy('id').execute()
    const [late1, late2, late3] = [signers[150]!, signers[160]!, signers[210]!]
    await sendUpdate(updateId, {
      afterBatch: async (batchNo) => {
        if (batchNo !== 0) return
        await db()
          .insertInto('email_unsubscribes')
          .values({ organisation_id: campaign.organisation_id, email_index: late1.email_index, campaign_id: null, source: 'one-click' })
          .execute()
        await db()
          .insertInto('email_suppressions')
          .values({ organisation_id: campaign.organisation_id, email_index: late2.email_index, reason: 'complaint' })
          .execute()
        await removeSignature({ user: null, organisation: { id: campaign.organisation_id } }, campaign.id, late3.id)
      },
    })
    const rows = await rowsOf(updateId)
    const skipped = rows.filter((r) => r.status === 'skipped')
    expect(skipped.map((r) => r.error).sort()).toEqual(['removed', 'suppressed', 'unsubscribed'])
    expect(skipped.find((r) => r.error === 'removed')).toMatchObject({ recipient: 'redacted', html: null })
    expect(await getUpdateProgress(updateId)).toMatchObject({ sent: 227, skipped: 3, remaining: 0 })
    expect((await updateRow(updateId)).status).toBe('sent')
  })
})

describe('the job', () => {
  it('writes the audience once, even when run twice', async () => {
    const { updateId } = await updateTo(150)
    expect(await runUpdateFanOut(updateId)).toEqual({ status: 'queued', audience: 150 })
    expect(await runUpdateFanOut(updateId)).toEqual({ status: 'queued', audience: 150 })
    expect(await rowsOf(updateId)).toHaveLength(150)
  })

  it('does nothing for an update that is not sending', async () => {
    const campaign = await createCampaign(db())
    await createSignature(db(), { campaign_id: campaign.id, state: 'confirmed', consent_updates: true })
    const { id } = await createCampaignUpdate(db(), {
      campaignId: campaign.id,
      kind: 'update',
      content: [{ locale: 'en', subject: 'S', body: 'B' }],
      createdBy: null,
    })
    expect(await runUpdateFanOut(id)).toMatchObject({ status: 'not-sending' })
    expect(await rowsOf(id)).toHaveLength(0)
  })
})

describe('stopping a send', () => {
  it('keeps the update from everyone not yet reached', async () => {
    const { campaign, updateId } = await updateTo(350)
    const outcome = await sendUpdate(updateId, {
      afterBatch: async (batchNo) => {
        if (batchNo === 0)
          expect(await cancelUpdateSend({ user: null, organisation: { id: campaign.organisation_id } }, campaign.id, updateId)).toEqual({
            status: 'cancelled',
            notSent: 250,
          })
      },
    })
    expect(outcome.batches).toBe(1)
    const rows = await rowsOf(updateId)
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(100)
    expect(rows.filter((r) => r.status === 'skipped' && r.error === 'cancelled')).toHaveLength(250)
    expect(await updateRow(updateId)).toMatchObject({ status: 'cancelled', sent_count: 100, sent_at: null })
    expect(await getUpdateProgress(updateId)).toMatchObject({ sent: 100, skipped: 250, remaining: 0 })
    // Nothing brings it back: not the job again, nor the watchdog.
    expect(await runUpdateFanOut(updateId)).toMatchObject({ status: 'not-sending' })
    await sql`update campaign_updates set updated_at = now() - interval '1 hour' where id = ${updateId}`.execute(db())
    expect(await resumeStalledUpdateSends()).toEqual([])
  })
})

describe('the watchdog', () => {
  it('gives an update whose audience was never written (its job lost) a fresh job, which finishes it', async () => {
    const { updateId } = await updateTo(120)
    await sql`delete from graphile_worker._private_jobs`.execute(db())
    expect(await resumeStalledUpdateSends()).toEqual([])
    await sql`update campaign_updates set updated_at = now() - interval '2 minutes' where id = ${updateId}`.execute(db())
    expect(await resumeStalledUpdateSends()).toEqual([updateId])
    await runDueJobs()
    const rows = await rowsOf(updateId)
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(120)
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 120 })
    // Written: nothing for the watchdog to do, however long the sending takes.
    await sql`update campaign_updates set updated_at = now() - interval '10 minutes', status = 'sending' where id = ${updateId}`.execute(db())
    expect(await resumeStalledUpdateSends()).toEqual([])
  })
})
