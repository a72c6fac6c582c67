import { beforeAll, describe, expect, it } from 'vitest'
import { createCampaign, uniqueEmail } from '../../tests/support/factories'
import type { FakeResend } from '../../tests/support/fake-resend'
import { fakeResendSuite } from '../../tests/support/fake-resend-suite'
import { makeJobsDue, runDueJobs, queuedEmails, openEmailRow } from '../../tests/support/jobs'
import { confirmSignature, signCampaign } from '~/models/signature.server'
import { getDb } from '~/utils/db.server'

const context = { ip: '198.51.100.1', userAgent: 'test', locale: 'en' as const }

async function sign(campaign: { id: string }, email = uniqueEmail(), locale: 'en' | 'ru' = 'en') {
  const result = await signCampaign({ id: campaign.id, consentVersion: 'v1' }, { fullName: 'Ada Lovelace', email, country: 'GB' }, { ...context, locale })
  const token = (await queuedEmails('signature-confirmation')).at(-1)?.payload.token as string
  return { ...result, email, token }
}

async function emails() {
  return await Promise.all((await getDb().selectFrom('email_messages').selectAll().orderBy('id').execute()).map(openEmailRow))
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
    expect(await queuedEmails('signature-confirmation')).toHaveLength(0)
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
    expect((await emails()).map((e) => [e.template, e.status])).toEqual([
      ['signature-confirmation', 'skipped'],
      ['signature-thanks', 'sent'],
    ])
    await getDb().deleteFrom('email_messages').where('status', '=', 'skipped').execute()
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
  const fake = fakeResendSuite()
  let resend: FakeResend
  beforeAll(() => {
    resend = fake.resend
  })
  const useResend = () => fake.use({ EMAIL_FROM: 'Chorus <campaigns@example.org>' })

  it('sends through the batch endpoint under the batch key and records the provider id', async () => {
    useResend()
    const campaign = await createCampaign(getDb())
    const { email, token } = await sign(campaign)
    await runDueJobs()
    expect(resend.emailsSent()).toHaveLength(0)
    const [accepted] = resend.batchEmails
    expect(resend.batchEmails).toHaveLength(1)
    expect(accepted!.batchKey).toMatch(/^chorus-email-batch\//)
    expect(accepted).toMatchObject({ to: [email] })
    // From the campaign's organisation, via Chorus's own address (emailFrom, decision 0035).
    expect(accepted!.from).toMatch(/^"[^"]+ via Chorus" <campaigns@example\.org>$/)
    expect(accepted!.html).toContain(`/confirm/${token}`)
    expect(accepted!.text).toContain(`/confirm/${token}`)
    const [message] = await emails()
    expect(message).toMatchObject({ status: 'sent', transport: 'resend', provider_id: accepted!.id, html: null, text: null, payload: null })
  })

  it('uses nothing up when Resend fails: the batch waits, then goes again under the same key', async () => {
    useResend()
    resend.failNextBatches(1, 500)
    const campaign = await createCampaign(getDb())
    await sign(campaign)
    await runDueJobs()

    const [waiting] = await emails()
    expect(waiting).toMatchObject({ status: 'sending', attempts: 1 })
    const batch = await getDb().selectFrom('email_batches').selectAll().executeTakeFirstOrThrow()
    expect(batch).toMatchObject({ status: 'sending', worker_id: null, attempts: 1 })
    expect(batch.last_error).toContain('Resend is down')

    await makeJobsDue()
    await runDueJobs()
    const [message] = await emails()
    expect(message).toMatchObject({ status: 'sent', attempts: 2, error: null })
    const keys = resend.requests.filter((r) => r.path === '/emails/batch').map((r) => r.headers['idempotency-key'])
    expect(keys).toEqual([batch.idempotency_key, batch.idempotency_key])
    expect(resend.batchEmails).toHaveLength(1)
  })

  it('gives an email up only when Resend refuses it for good (422), with the reason', async () => {
    useResend()
    const campaign = await createCampaign(getDb())
    await sign(campaign)
    await sign(campaign)
    // The batch of two is refused; each is then tried alone, and only the bad one fails.
    resend.failNextBatches(2, 422, { name: 'validation_error', message: 'Invalid `to` field', statusCode: 422 })
    await runDueJobs()
    const all = await emails()
    expect(all.map((e) => e.status)).toEqual(['failed', 'sent'])
    expect(all[0]!.error).toContain('Invalid `to` field')
    expect(resend.batchEmails).toHaveLength(1)
    expect(await queuedEmails()).toHaveLength(0)
  })
})
