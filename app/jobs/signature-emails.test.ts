import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createCampaign, uniqueEmail } from '../../tests/support/factories'
import { startFakeResend } from '../../tests/support/fake-resend'
import { makeJobsDue, queuedJobs, runDueJobs } from '../../tests/support/jobs'
import { confirmSignature, EMAIL_JOB_ATTEMPTS, signCampaign } from '~/models/signature.server'
import { getDb } from '~/utils/db.server'
import { resetEnv } from '~/utils/env.server'

const context = { ip: '198.51.100.1', userAgent: 'test', locale: 'en' as const }

async function sign(campaign: { id: string }, email = uniqueEmail(), locale: 'en' | 'ru' = 'en') {
  const result = await signCampaign(
    { id: campaign.id, consentVersion: 'v1' },
    { fullName: 'Ada Lovelace', email, country: 'GB' },
    { ...context, locale },
  )
  const token = (await queuedJobs('send-signature-confirmation')).at(-1)?.payload.token as string
  return { ...result, email, token }
}

async function emails() {
  return await getDb().selectFrom('email_messages').selectAll().orderBy('id').execute()
}

describe('signature emails through the development mailbox', () => {
  it('stores the confirmation email with a working link, in HTML and plain text', async () => {
    const campaign = await createCampaign(getDb(), { title: 'Free the defenders' })
    const { email, token } = await sign(campaign)
    await runDueJobs()
    const [message] = await emails()
    expect(message).toMatchObject({
      recipient: email,
      template: 'signature-confirmation',
      status: 'sent',
      transport: 'mailbox',
      locale: 'en',
    })
    expect(message!.subject).toContain('Free the defenders')
    expect(message!.html).toContain(`http://localhost:3000/confirm/${token}`)
    expect(message!.text).toContain(`http://localhost:3000/confirm/${token}`)
    expect(await queuedJobs('send-signature-confirmation')).toHaveLength(0)
  })

  it('writes to signers in their own language', async () => {
    const campaign = await createCampaign(getDb(), {
      translations: { ru: { title: 'Освободите правозащитников', summary: 'Кратко', demand: 'Требуем', target_name: 'Министр' } },
    })
    await sign(campaign, uniqueEmail(), 'ru')
    await runDueJobs()
    const [message] = await emails()
    expect(message!.locale).toBe('ru')
    expect(message!.subject).toMatch(/[А-Яа-я]/)
    expect(message!.subject).toContain('Освободите правозащитников')
    expect(message!.html).toContain('lang="ru"')
  })

  it('sends thanks after confirming and "already signed" on a repeat, and nothing for a stale confirmation', async () => {
    const campaign = await createCampaign(getDb())
    const { email, token } = await sign(campaign)
    expect((await confirmSignature(token)).status).toBe('confirmed')
    // The confirmation job runs after the signer already confirmed: nothing to send.
    await runDueJobs()
    expect((await emails()).map((e) => e.template)).toEqual(['signature-thanks'])
    await signCampaign({ id: campaign.id, consentVersion: 'v1' }, { fullName: 'Ada', email, country: 'GB' }, context)
    await runDueJobs()
    const all = await emails()
    expect(all.map((e) => e.template)).toEqual(['signature-thanks', 'already-signed'])
    expect(all.every((e) => e.recipient === email)).toBe(true)
    expect(all[0]!.html).toContain(`/campaigns/${campaign.slug}`)
    // Sent before the counter folded the confirmation in, it still counts the signer.
    expect(all[0]!.text).toContain('So far, 1 person has signed.')
  })
})

describe('signature emails through Resend (faked at its HTTP boundary)', () => {
  let resend: Awaited<ReturnType<typeof startFakeResend>>
  const saved = { ...process.env }

  beforeAll(async () => {
    resend = await startFakeResend()
  })
  afterAll(async () => {
    await resend.close()
  })
  const useResend = () => {
    Object.assign(process.env, {
      EMAIL_TRANSPORT: 'resend',
      RESEND_API_KEY: resend.apiKey,
      RESEND_BASE_URL: resend.url,
      EMAIL_FROM: 'Chorus <campaigns@example.org>',
    })
    resetEnv()
  }
  afterEach(() => {
    for (const key of ['EMAIL_TRANSPORT', 'RESEND_API_KEY', 'RESEND_BASE_URL', 'EMAIL_FROM']) {
      if (saved[key] === undefined) delete process.env[key]
      else process.env[key] = saved[key]
    }
    resetEnv()
    resend.requests.length = 0
  })

  it('sends through the SDK with the job key as idempotency key and records the provider id', async () => {
    useResend()
    const campaign = await createCampaign(getDb())
    const { email, token } = await sign(campaign)
    await runDueJobs()
    const [request] = resend.emailsSent()
    expect(request!.headers['idempotency-key']).toMatch(/^signature-confirmation\/\d+$/)
    expect(request!.body).toMatchObject({ to: [email] })
    // From the campaign's organisation, via Chorus's own address (emailFrom, decision 0035).
    expect(request!.body.from).toMatch(/^"[^"]+ via Chorus" <campaigns@example\.org>$/)
    expect(request!.body.html).toContain(`/confirm/${token}`)
    expect(request!.body.text).toContain(`/confirm/${token}`)
    const [message] = await emails()
    expect(message).toMatchObject({ status: 'sent', transport: 'resend', provider_id: 'email_1', html: null, text: null })
  })

  it('retries with backoff when Resend reports an error, without sending twice', async () => {
    useResend()
    resend.failNext(1, 500)
    const campaign = await createCampaign(getDb())
    await sign(campaign)
    await runDueJobs()

    const [failed] = await queuedJobs('send-signature-confirmation')
    expect(failed).toMatchObject({ attempts: 1 })
    expect(failed!.last_error).toContain('Resend is down')
    expect(failed!.run_at.getTime()).toBeGreaterThan(Date.now())
    expect((await emails())[0]).toMatchObject({ status: 'failed', attempts: 1 })

    await makeJobsDue()
    await runDueJobs()
    expect(await queuedJobs('send-signature-confirmation')).toHaveLength(0)
    const [message] = await emails()
    expect(message).toMatchObject({ status: 'sent', attempts: 2, error: null })
    const keys = resend.emailsSent().map((r) => r.headers['idempotency-key'])
    expect(keys).toHaveLength(2)
    expect(new Set(keys).size).toBe(1)
  })

  it('treats a refused request (422) as a failure to retry, with at most about ten attempts', async () => {
    useResend()
    resend.failNext(1, 422, { name: 'validation_error', message: 'Invalid `to` field', statusCode: 422 })
    const campaign = await createCampaign(getDb())
    await sign(campaign)
    const { rows } = await import('kysely').then(({ sql }) =>
      sql<{ max_attempts: number }>`select max_attempts from graphile_worker._private_jobs`.execute(getDb()),
    )
    expect(rows[0]!.max_attempts).toBe(EMAIL_JOB_ATTEMPTS)
    await runDueJobs()
    expect((await queuedJobs('send-signature-confirmation'))[0]!.last_error).toContain('validation_error')
  })
})
