import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeResend, type FakeResend } from '../../tests/support/fake-resend'
import { rowsOf, sendUpdate, updateRow, updateTo } from '../../tests/support/update-send'
import { drainOutbox, sendNextBatch } from './email-sender.server'
import { signCampaign } from './signature.server'
import { getUpdateProgress } from './campaign-update-workspace.server'
import { runUpdateFanOut } from './campaign-update-send.server'
import { getDb } from '~/utils/db.server'
import { configurationWarnings, getEnv, resetEnv } from '~/utils/env.server'
import { readUnsubscribeToken } from '~/utils/unsubscribe.server'

const db = () => getDb()

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

  it('writes nothing when it polls and nothing is due', async () => {
    const batchSequence = async () =>
      (await sql<{ value: string }>`select last_value::text || '/' || is_called::text as value from email_batches_id_seq`.execute(db())).rows[0]!.value
    const before = await batchSequence()
    expect(await sendNextBatch('idle-one')).toEqual({ status: 'idle' })
    expect(await sendNextBatch('idle-two')).toEqual({ status: 'idle' })
    // No batch row made and thrown away: the sequence that numbers them has not moved.
    expect(await batchSequence()).toBe(before)
    expect(await db().selectFrom('email_batches').select('id').execute()).toEqual([])
    expect(resend.requests).toHaveLength(0)
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
