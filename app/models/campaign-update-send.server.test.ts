import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { startFakeResend, type FakeResend } from '../../tests/support/fake-resend'
import { openEmailRow, queuedJobs, runDueJobs } from '../../tests/support/jobs'
import { drainOutbox, sendNextBatch, type SendOptions } from './email-sender.server'
import { signCampaign } from './signature.server'
import { cancelUpdateSend, createCampaignUpdate, getUpdateProgress, startUpdateSend } from './campaign-update.server'
import { resumeStalledUpdateSends, runUpdateFanOut } from './campaign-update-send.server'
import { removeSignature } from './supporter.server'
import { getDb } from '~/utils/db.server'
import { configurationWarnings, getEnv, resetEnv } from '~/utils/env.server'
import { readUnsubscribeToken } from '~/utils/unsubscribe.server'

const db = () => getDb()

/** The job, then the outbox's sender until nothing is due; `afterBatch` runs after each batch it sends. */
async function sendUpdate(updateId: string, { afterBatch, ...options }: SendOptions & { afterBatch?: (n: number) => void | Promise<void> } = {}) {
  const fanOut = await runUpdateFanOut(updateId)
  let batches = 0
  for (;;) {
    const outcome = await sendNextBatch('test-sender', options)
    if (outcome.status === 'idle' || outcome.status === 'paused' || outcome.status === 'retry') break
    batches += 1
    await afterBatch?.(batches - 1)
  }
  return { ...fanOut, batches }
}

/** A live campaign with `count` opted-in confirmed signers (every third in Russian), and a sending update. */
async function updateTo(count: number, { locale = 'en' } = {}) {
  const campaign = await createCampaign(db(), {
    locale,
    translations: { ru: { title: 'Свободу правозащитникам', summary: 'Кратко', demand: 'Требуем', target_name: 'Министр' } },
  })
  await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, consent_updates, confirmed_at, locale)
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
  return await Promise.all((await db().selectFrom('email_messages').selectAll().where('update_id', '=', updateId).orderBy('id').execute()).map(openEmailRow))
}

async function updateRow(updateId: string) {
  return await db().selectFrom('campaign_updates').selectAll().where('id', '=', updateId).executeTakeFirstOrThrow()
}

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
    Object.assign(process.env, { EMAIL_TRANSPORT: 'resend', RESEND_API_KEY: resend.apiKey, RESEND_BASE_URL: resend.url, RESEND_RATE_LIMIT: '1000' })
    resetEnv()
    resend.reset()
  })
  afterEach(() => {
    for (const key of ['EMAIL_TRANSPORT', 'RESEND_API_KEY', 'RESEND_BASE_URL', 'UPDATE_SEND_RATE', 'RESEND_RATE_LIMIT']) {
      if (saved[key] === undefined) delete process.env[key]
      else process.env[key] = saved[key]
    }
    resetEnv()
  })

  const batchRequests = () => resend.requests.filter((r) => r.path === '/emails/batch')
  const batchKeys = async () => (await db().selectFrom('email_batches').select('idempotency_key').orderBy('id').execute()).map((b) => b.idempotency_key)

  function expectEachOnce(rows: { recipient: string }[], count: number) {
    const recipients = resend.batchEmails.flatMap((e) => e.to)
    expect(recipients).toHaveLength(count)
    expect(new Set(recipients).size).toBe(count)
    expect(new Set(rows.map((r) => r.recipient))).toEqual(new Set(recipients))
  }

  it('sends batches of 100 under their recorded keys, with one-click unsubscribe headers, and records the provider ids', async () => {
    const { updateId } = await updateTo(205)
    await sendUpdate(updateId)
    const requests = batchRequests()
    expect(requests.map((r) => r.body.length)).toEqual([100, 100, 5])
    const keys = await batchKeys()
    expect(keys).toHaveLength(3)
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(keys)
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

  it('sends nothing twice after a crash between Resend accepting a batch and our record of it', async () => {
    const { updateId } = await updateTo(300)
    let crashed = false
    await expect(
      sendUpdate(updateId, {
        afterProviderAnswer: () => {
          if (batchRequests().length === 2 && !crashed) {
            crashed = true
            throw new Error('process killed')
          }
        },
      }),
    ).rejects.toThrow('process killed')
    expect(await getUpdateProgress(updateId)).toMatchObject({ sent: 100, remaining: 200 })
    // Another sender resumes the unfinished batch first, under its key: Resend replays its answer.
    await drainOutbox('another-process')
    const rows = await rowsOf(updateId)
    expect(rows.every((r) => r.status === 'sent')).toBe(true)
    const keys = await batchKeys()
    expect(keys).toHaveLength(3)
    expect(batchRequests().map((r) => r.headers['idempotency-key'])).toEqual([keys[0], keys[1], keys[1], keys[2]])
    for (const key of keys) expect(resend.acceptedBatchKeys.get(key)).toBe(1)
    expectEachOnce(rows, 300)
    // The ids recorded are the ones Resend gave the first time.
    const ids = new Map(resend.batchEmails.map((e) => [e.to[0], e.id]))
    for (const row of rows) expect(row.provider_id).toBe(ids.get(row.recipient))
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 300, failed_count: 0 })
  })

  it('survives a lost answer: the batch goes again under the same key and is accepted once', async () => {
    const { updateId } = await updateTo(200)
    resend.onBatch(() => {
      if (resend.acceptedBatchKeys.size === 2) {
        resend.crashNextBatches(1)
        resend.onBatch(null)
      }
    })
    await sendUpdate(updateId)
    await drainOutbox()
    expectEachOnce(await rowsOf(updateId), 200)
    const keys = await batchKeys()
    expect(batchRequests().map((r) => r.headers['idempotency-key'])).toEqual([keys[0], keys[1], keys[1]])
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 200 })
  })

  it('uses nothing up when Resend is down: the same batch waits and goes again', async () => {
    const { updateId } = await updateTo(150)
    resend.failNextBatches(2, 503)
    const first = await sendUpdate(updateId)
    expect(first.batches).toBe(0)
    expect(await getUpdateProgress(updateId)).toMatchObject({ sent: 0, failed: 0, remaining: 150 })
    const gate = await db().selectFrom('email_send_throttle').selectAll().executeTakeFirstOrThrow()
    expect(gate.reason).toContain('provider unavailable')
    expect(gate.next_at.getTime()).toBeGreaterThan(Date.now())
    for (let i = 0; i < 3; i++) {
      await sql`update email_send_throttle set next_at = now()`.execute(db())
      await drainOutbox()
    }
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 150, failed_count: 0 })
    const keys = await batchKeys()
    expect(batchRequests().map((r) => r.headers['idempotency-key'])).toEqual([keys[0], keys[0], keys[0], keys[1]])
  })

  it('tries each email of a batch Resend refuses alone, so only a bad one is given up', async () => {
    const { updateId } = await updateTo(20)
    resend.failNextBatches(2, 422, { name: 'validation_error', message: 'Invalid `to` field', statusCode: 422 })
    await sendUpdate(updateId)
    const rows = await rowsOf(updateId)
    expect(rows.filter((r) => r.status === 'failed')).toHaveLength(1)
    expect(rows.find((r) => r.status === 'failed')!.error).toContain('Invalid `to` field')
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 19, failed_count: 1 })
    expect(batchRequests()).toHaveLength(1 + 20)
  })

  it('keeps to RESEND_RATE_LIMIT requests a second', async () => {
    process.env.RESEND_RATE_LIMIT = '5'
    resetEnv()
    const { updateId } = await updateTo(400)
    const started = Date.now()
    await sendUpdate(updateId)
    expect(batchRequests()).toHaveLength(4)
    // Four requests at five a second: at least three intervals of 200 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(590)
  })

  it('takes 2 requests a second by default, and UPDATE_SEND_RATE for one more release, with a warning', () => {
    delete process.env.RESEND_RATE_LIMIT
    delete process.env.UPDATE_SEND_RATE
    resetEnv()
    expect(getEnv().RESEND_RATE_LIMIT).toBe(2)
    expect(configurationWarnings(getEnv())).toEqual([])
    process.env.UPDATE_SEND_RATE = '4'
    resetEnv()
    expect(getEnv().RESEND_RATE_LIMIT).toBe(4)
    expect(configurationWarnings(getEnv())[0]).toContain('RESEND_RATE_LIMIT')
  })

  it('sends confirmations before a running update fan-out', async () => {
    const { campaign, updateId } = await updateTo(300)
    const signers: string[] = []
    await sendUpdate(updateId, {
      afterBatch: async (batchNo) => {
        if (batchNo !== 0) return
        for (let i = 0; i < 3; i++) {
          const email = `late-signer-${i}@example.org`
          await signCampaign(
            { id: campaign.id, consentVersion: 'v1' },
            { fullName: 'Late', email, country: 'GB' },
            { ip: '198.51.100.7', userAgent: 't', locale: 'en' },
          )
          signers.push(email)
        }
      },
    })
    const second = batchRequests()[1]!.body as { to: string[] }[]
    expect(second.slice(0, 3).map((e) => e.to[0])).toEqual(signers)
    expect(second).toHaveLength(100)
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 300 })
  })

  it('loses and duplicates nothing in a 429 storm from three senders at once', async () => {
    // Configured above what the account allows: Resend refuses with 429 and its headers.
    resend.limitRate(2)
    process.env.RESEND_RATE_LIMIT = '50'
    resetEnv()
    const { campaign, updateId } = await updateTo(380)
    await runUpdateFanOut(updateId)
    for (let i = 0; i < 20; i++) {
      await signCampaign(
        { id: campaign.id, consentVersion: 'v1' },
        { fullName: 'Storm', email: `storm-${i}@example.org`, country: 'GB' },
        { ip: '198.51.100.8', userAgent: 't', locale: 'en' },
      )
    }
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
    const sender = async (name: string) => {
      for (let round = 0; round < 200; round++) {
        const outcome = await sendNextBatch(name)
        if (outcome.status === 'idle') return
        if (outcome.status === 'paused' || outcome.status === 'retry') await sleep(Math.min(outcome.waitMs, 1000))
      }
    }
    await Promise.all([sender('one'), sender('two'), sender('three')])
    expect(resend.refusedForRate()).toBeGreaterThan(0)
    const recipients = resend.batchEmails.flatMap((e) => e.to)
    expect(recipients).toHaveLength(400)
    expect(new Set(recipients).size).toBe(400)
    const all = await db().selectFrom('email_messages').select(['status']).execute()
    expect(all.every((r) => r.status === 'sent')).toBe(true)
    expect(await updateRow(updateId)).toMatchObject({ status: 'sent', sent_count: 380 })
  }, 45_000)

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
