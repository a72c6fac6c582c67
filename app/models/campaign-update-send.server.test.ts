import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { startFakeResend, type FakeResend } from '../../tests/support/fake-resend'
import { queuedJobs, runDueJobs } from '../../tests/support/jobs'
import { cancelUpdateSend, createCampaignUpdate, getUpdateProgress, startUpdateSend } from './campaign-update.server'
import { resumeStalledUpdateSends, runUpdateFanOut, updateBatchKey } from './campaign-update-send.server'
import { removeSignature } from './supporter.server'
import { getDb } from '~/utils/db.server'
import { getEnv, resetEnv } from '~/utils/env.server'
import { readUnsubscribeToken } from '~/utils/unsubscribe.server'

const db = () => getDb()
const noWait = { rate: 1000, retryBaseMs: 1 }

/** A live campaign with `count` opted-in confirmed signers (every third in Russian), and a sending update. */
async function updateTo(count: number, { locale = 'en' } = {}) {
  const campaign = await createCampaign(db(), {
    locale,
    translations: { ru: { title: 'Свободу правозащитникам', summary: 'Кратко', demand: 'Требуем', target_name: 'Министр' } },
  })
  await sql`insert into signatures (campaign_id, full_name, email, canonical_email, country, consent_version, state, consent_updates, confirmed_at, locale)
    select ${campaign.id}, 'Signer ' || n, 'fan-' || n || '@example.org', 'fan-' || n || '@example.org', 'GB', 'v1', 'confirmed', true, now(),
      case when n % 3 = 0 then 'ru' else 'en' end
    from generate_series(1, ${count}) n`.execute(db())
  const { id } = await createCampaignUpdate(db(), {
    campaignId: campaign.id,
    kind: 'update',
    content: [
      { locale: 'en', subject: 'We met the minister', body: 'It went **well**.\n\n<script>alert(1)</script>' },
      { locale: 'ru', subject: 'Мы встретились с министром', body: 'Всё прошло **хорошо**.' },
    ],
    createdBy: null,
  })
  await startUpdateSend(db(), id, null)
  return { campaign, updateId: id }
}

async function rowsOf(updateId: string) {
  return await db().selectFrom('email_messages').selectAll().where('update_id', '=', updateId).orderBy('id').execute()
}

async function updateRow(updateId: string) {
  return await db().selectFrom('campaign_updates').selectAll().where('id', '=', updateId).executeTakeFirstOrThrow()
}

describe('fan-out through the development mailbox', () => {
  it('sends everyone once, in their language, with their own unsubscribe link, and marks the update sent', async () => {
    const { updateId } = await updateTo(250)
    const outcome = await runUpdateFanOut(updateId, noWait)
    expect(outcome).toMatchObject({ status: 'sent', batches: 3, sent: 250, failed: 0 })
    const rows = await rowsOf(updateId)
    expect(rows.every((r) => r.status === 'sent' && r.provider_id === `mailbox-${r.id}`)).toBe(true)
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
    expect(await getUpdateProgress(updateId)).toEqual({ audience: 250, sent: 250, failed: 0, skipped: 0, remaining: 0 })
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
    const signers = await db().selectFrom('signatures').select(['id', 'canonical_email']).where('campaign_id', '=', campaign.id).orderBy('id').execute()
    const [late1, late2, late3] = [signers[150]!, signers[160]!, signers[210]!]
    const outcome = await runUpdateFanOut(updateId, {
      ...noWait,
      afterBatch: async (batchNo) => {
        if (batchNo !== 0) return
        await db()
          .insertInto('email_unsubscribes')
          .values({ organisation_id: campaign.organisation_id, canonical_email: late1.canonical_email, campaign_id: null, source: 'one-click' })
          .execute()
        await db().insertInto('email_suppressions').values({ organisation_id: campaign.organisation_id, canonical_email: late2.canonical_email, reason: 'complaint' }).execute()
        await removeSignature({ user: null, organisation: { id: campaign.organisation_id } }, campaign.id, late3.id)
      },
    })
    expect(outcome).toMatchObject({ sent: 227, skipped: 3 })
    const rows = await rowsOf(updateId)
    const skipped = rows.filter((r) => r.status === 'skipped')
    expect(skipped.map((r) => r.error).sort()).toEqual(['removed', 'suppressed', 'unsubscribed'])
    expect(skipped.find((r) => r.error === 'removed')).toMatchObject({ recipient: 'redacted', html: null })
    expect(await getUpdateProgress(updateId)).toMatchObject({ sent: 227, skipped: 3, remaining: 0 })
    expect((await updateRow(updateId)).status).toBe('sent')
  })
})

describe('fan-out through Resend', () => {
  let resend: FakeResend
  const saved = { ...process.env }

  beforeAll(async () => {
    resend = await startFakeResend()
  })
  afterAll(async () => {
    await resend.close()
  })
  beforeEach(() => {
    Object.assign(process.env, { EMAIL_TRANSPORT: 'resend', RESEND_API_KEY: resend.apiKey, RESEND_BASE_URL: resend.url })
    resetEnv()
    resend.reset()
  })
  afterEach(() => {
    for (const key of ['EMAIL_TRANSPORT', 'RESEND_API_KEY', 'RESEND_BASE_URL', 'UPDATE_SEND_RATE']) {
      if (saved[key] === undefined) delete process.env[key]
      else process.env[key] = saved[key]
    }
    resetEnv()
  })

  const batchRequests = () => resend.requests.filter((r) => r.path === '/emails/batch')

  function expectEachOnce(rows: { recipient: string }[], count: number) {
    const recipients = resend.batchEmails.flatMap((e) => e.to)
    expect(recipients).toHaveLength(count)
    expect(new Set(recipients).size).toBe(count)
    expect(new Set(rows.map((r) => r.recipient))).toEqual(new Set(recipients))
  }

  it('sends batches of 100 under their keys, with one-click unsubscribe headers, and records the provider ids', async () => {
    const { updateId } = await updateTo(205)
    await runUpdateFanOut(updateId, noWait)
    const requests = batchRequests()
    expect(requests.map((r) => r.body.length)).toEqual([100, 100, 5])
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual([0, 1, 2].map((n) => updateBatchKey(updateId, n)))
    const rows = await rowsOf(updateId)
    expectEachOnce(rows, 205)
    const byRecipient = new Map(resend.batchEmails.map((e) => [e.to[0], e]))
    for (const row of rows) {
      const email = byRecipient.get(row.recipient)!
      expect(row).toMatchObject({ status: 'sent', provider_id: email.id, transport: 'resend', html: null, text: null })
      expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click')
      const token = /^<http:\/\/localhost:3000\/unsubscribe\/([^>]+)>$/.exec(email.headers['List-Unsubscribe']!)![1]!
      expect(readUnsubscribeToken(token)).toBe(row.signature_id)
      expect(email.html).toContain(`/unsubscribe/${token}?lang=${row.locale}`)
      expect(email.subject).toBe(row.locale === 'ru' ? 'Мы встретились с министром' : 'We met the minister')
    }
  })

  it('carries on after the process dies after a batch: everyone exactly once, each batch accepted once', async () => {
    const { updateId } = await updateTo(450)
    await expect(
      runUpdateFanOut(updateId, {
        ...noWait,
        afterBatch: (batchNo) => {
          if (batchNo === 1) throw new Error('worker killed')
        },
      }),
    ).rejects.toThrow('worker killed')
    expect(await getUpdateProgress(updateId)).toMatchObject({ sent: 200, remaining: 250 })
    expect((await updateRow(updateId)).status).toBe('sending')

    // Restarted by graphile-worker (the job still holds the update).
    await runUpdateFanOut(updateId, noWait)
    const rows = await rowsOf(updateId)
    expectEachOnce(rows, 450)
    expect([...resend.acceptedBatchKeys.values()].every((n) => n === 1)).toBe(true)
    expect(resend.acceptedBatchKeys.size).toBe(5)
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 450, failed_count: 0 })
  })

  it('survives a crash between Resend accepting a batch and the answer: the key replays, nobody gets it twice', async () => {
    // The answer to the second batch is lost on the way back; the sender tries again.
    const again = await updateTo(300)
    resend.onBatch((_emails, key) => {
      if (key === updateBatchKey(again.updateId, 1)) {
        resend.crashNextBatches(1)
        resend.onBatch(null)
      }
    })
    await runUpdateFanOut(again.updateId, noWait)
    const rows = await rowsOf(again.updateId)
    expect(rows.every((r) => r.status === 'sent')).toBe(true)
    const keys = batchRequests()
      .map((r) => r.headers['idempotency-key'])
      .filter((k) => String(k).startsWith(`campaign-update/${again.updateId}/`))
    expect(keys.filter((k) => k === updateBatchKey(again.updateId, 1))).toHaveLength(2)
    for (const n of [0, 1, 2]) expect(resend.acceptedBatchKeys.get(updateBatchKey(again.updateId, n))).toBe(1)
    const accepted = resend.batchEmails.filter((e) => e.batchKey?.startsWith(`campaign-update/${again.updateId}/`))
    expect(accepted).toHaveLength(300)
    // The ids recorded are the ones Resend gave the first time.
    const ids = new Map(accepted.map((e) => [e.to[0], e.id]))
    for (const row of rows) expect(row.provider_id).toBe(ids.get(row.recipient))
  })

  it('resumes a batch that was in flight when the process died, sending it again under the same key', async () => {
    const { updateId } = await updateTo(200)
    // The process dies while the second batch is with Resend (accepted, no answer recorded).
    resend.onBatch((_emails, key) => {
      if (key === updateBatchKey(updateId, 1)) resend.crashNextBatches(1)
    })
    await expect(
      runUpdateFanOut(updateId, {
        ...noWait,
        sleep: async () => {
          throw new Error('worker killed during the retry wait')
        },
      }),
    ).rejects.toThrow('worker killed')
    resend.onBatch(null)
    expect(await getUpdateProgress(updateId)).toMatchObject({ sent: 100, remaining: 100 })
    await runUpdateFanOut(updateId, noWait)
    expectEachOnce(await rowsOf(updateId), 200)
    expect(resend.acceptedBatchKeys.get(updateBatchKey(updateId, 1))).toBe(1)
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 200 })
  })

  it('retries a failing batch with backoff, then gives its rows up as failed and goes on', async () => {
    const { updateId } = await updateTo(250)
    const waits: number[] = []
    const sleep = async (ms: number) => {
      waits.push(ms)
    }
    resend.failNextBatches(2)
    await runUpdateFanOut(updateId, { rate: 1000, retryBaseMs: 100, maxBatchAttempts: 3, sleep })
    expect(waits.filter((w) => w >= 100)).toEqual([100, 200])
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 250, failed_count: 0 })

    const second = await updateTo(250)
    resend.failNextBatches(3, 503)
    await runUpdateFanOut(second.updateId, { rate: 1000, retryBaseMs: 1, maxBatchAttempts: 3, sleep })
    const rows = await rowsOf(second.updateId)
    expect(rows.filter((r) => r.status === 'failed')).toHaveLength(100)
    expect(rows.find((r) => r.status === 'failed')!.error).toContain('Resend is down')
    expect(await updateRow(second.updateId)).toMatchObject({ status: 'sent', sent_count: 150, failed_count: 100 })
    expect(await getUpdateProgress(second.updateId)).toMatchObject({ sent: 150, failed: 100, remaining: 0 })
  })

  it('does not retry a batch Resend refuses as invalid', async () => {
    const { updateId } = await updateTo(20)
    resend.failNextBatches(1, 422, { name: 'validation_error', message: 'Invalid `from` field', statusCode: 422 })
    await runUpdateFanOut(updateId, noWait)
    expect(batchRequests()).toHaveLength(1)
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 0, failed_count: 20 })
  })

  it('keeps to UPDATE_SEND_RATE batch requests a second', async () => {
    process.env.UPDATE_SEND_RATE = '5'
    resetEnv()
    expect(getEnv().UPDATE_SEND_RATE).toBe(5)
    const { updateId } = await updateTo(400)
    const started = Date.now()
    await runUpdateFanOut(updateId)
    const times = batchRequests().map((r) => r.headers.date)
    expect(times).toHaveLength(4)
    // Four requests at five a second: at least three intervals of 200 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(590)
  })

  it('takes 2 requests a second by default, as Resend allows', () => {
    delete process.env.UPDATE_SEND_RATE
    resetEnv()
    expect(getEnv().UPDATE_SEND_RATE).toBe(2)
  })

  it('refuses more than 100 emails in one batch request, like Resend', async () => {
    const response = await fetch(`${resend.url}/emails/batch`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${resend.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(Array.from({ length: 101 }, (_, i) => ({ from: 'a@example.org', to: [`r${i}@example.org`], subject: 's', html: 'h' }))),
    })
    expect(response.status).toBe(422)
    expect(resend.batchEmails).toHaveLength(0)
  })
})

describe('one sender per update', () => {
  it('a second runner finds the update busy while the first holds it', async () => {
    const { updateId } = await updateTo(150)
    let second: Awaited<ReturnType<typeof runUpdateFanOut>> | null = null
    await runUpdateFanOut(updateId, {
      ...noWait,
      afterBatch: async (batchNo) => {
        if (batchNo === 0) second = await runUpdateFanOut(updateId, noWait)
      },
    })
    expect(second).toMatchObject({ status: 'busy' })
    expect((await rowsOf(updateId)).filter((r) => r.status === 'sent')).toHaveLength(150)
  })

  it('does nothing for an update that is not sending', async () => {
    const campaign = await createCampaign(db())
    await createSignature(db(), { campaign_id: campaign.id, state: 'confirmed', consent_updates: true })
    const { id } = await createCampaignUpdate(db(), { campaignId: campaign.id, kind: 'update', content: [{ locale: 'en', subject: 'S', body: 'B' }], createdBy: null })
    expect(await runUpdateFanOut(id, noWait)).toMatchObject({ status: 'not-sending' })
    expect(await rowsOf(id)).toHaveLength(0)
  })
})

describe('stopping a send', () => {
  it('keeps the update from everyone not yet reached; the sender stops after its batch', async () => {
    const { campaign, updateId } = await updateTo(350)
    const outcome = await runUpdateFanOut(updateId, {
      ...noWait,
      afterBatch: async (batchNo) => {
        if (batchNo === 0) expect(await cancelUpdateSend({ user: null, organisation: { id: campaign.organisation_id } }, campaign.id, updateId)).toEqual({ status: 'cancelled', notSent: 250 })
      },
    })
    expect(outcome).toMatchObject({ batches: 1, sent: 100 })
    const rows = await rowsOf(updateId)
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(100)
    expect(rows.filter((r) => r.status === 'skipped' && r.error === 'cancelled')).toHaveLength(250)
    expect(await updateRow(updateId)).toMatchObject({ status: 'cancelled', sent_count: 100, sent_at: null })
    expect(await getUpdateProgress(updateId)).toMatchObject({ sent: 100, skipped: 250, remaining: 0 })
    // Nothing brings it back: not the job again, nor the watchdog.
    expect(await runUpdateFanOut(updateId, noWait)).toMatchObject({ status: 'not-sending' })
    await sql`update campaign_updates set updated_at = now() - interval '1 hour' where id = ${updateId}`.execute(db())
    expect(await resumeStalledUpdateSends()).toEqual([])
  })
})

describe('the watchdog', () => {
  it('gives an update whose worker died mid-send a fresh job, which finishes it: everyone exactly once', async () => {
    const { updateId } = await updateTo(250)
    // The worker took the job (it stays locked for hours after a crash) and died after batch 0.
    await sql`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'dead-worker'`.execute(db())
    await expect(
      runUpdateFanOut(updateId, {
        ...noWait,
        afterBatch: (batchNo) => {
          if (batchNo === 0) throw new Error('process killed')
        },
      }),
    ).rejects.toThrow('process killed')
    expect((await rowsOf(updateId)).filter((r) => r.status === 'sent')).toHaveLength(100)

    // Moving recently: left alone.
    expect(await resumeStalledUpdateSends()).toEqual([])
    await sql`update campaign_updates set updated_at = now() - interval '2 minutes' where id = ${updateId}`.execute(db())
    expect(await resumeStalledUpdateSends()).toEqual([updateId])
    // graphile-worker retires the dead worker's job (its key moves to the new job, its attempts are
    // used up), so only the new one can run; clear the retired one as its timeout eventually would.
    const { rows: retired } = await sql<{ key: string | null; attempts: number; max_attempts: number }>`
      select key, attempts, max_attempts from graphile_worker._private_jobs where locked_by = 'dead-worker'`.execute(db())
    expect(retired).toHaveLength(1)
    expect(retired[0]!.key).toBeNull()
    expect(retired[0]!.attempts).toBe(retired[0]!.max_attempts)
    expect(await queuedJobs('send-campaign-update')).toHaveLength(2)
    await sql`delete from graphile_worker._private_jobs where locked_by = 'dead-worker'`.execute(db())
    await runDueJobs()

    const rows = await rowsOf(updateId)
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(250)
    expect(new Set(rows.map((r) => r.signature_id)).size).toBe(250)
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 250 })
  })

  it('leaves alone an update whose sender is alive, however slow', async () => {
    const { updateId } = await updateTo(150)
    await sql`update campaign_updates set updated_at = now() - interval '10 minutes' where id = ${updateId}`.execute(db())
    let resumedMeanwhile: string[] | null = null
    await runUpdateFanOut(updateId, {
      ...noWait,
      afterBatch: async (batchNo) => {
        if (batchNo !== 0) return
        await sql`update campaign_updates set updated_at = now() - interval '10 minutes' where id = ${updateId}`.execute(db())
        resumedMeanwhile = await resumeStalledUpdateSends()
      },
    })
    expect(resumedMeanwhile).toEqual([])
    expect(await resumeStalledUpdateSends()).toEqual([])
  })
})
