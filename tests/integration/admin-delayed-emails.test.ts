import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { fakeResendSuite } from '../support/fake-resend-suite'
import { createAdmin } from '../support/admin'
import { createCampaign, createSignature } from '../support/factories'
import { callRoute } from '../support/routes'
import { loader as dashboardLoader } from '~/routes/admin._index'
import { EMAIL_PRIORITY, queueEmail } from '~/models/email-outbox.server'
import { createCampaignUpdate, startUpdateSend } from '~/models/campaign-update.server'
import { getUpdateProgress } from '~/models/campaign-update-workspace.server'
import { runUpdateFanOut } from '~/models/campaign-update-send.server'
import { recordHeartbeat } from '~/models/worker-heartbeat.server'
import { drainOutbox } from '~/models/email-sender.server'
import { signCampaign } from '~/models/signature.server'
import { getDb } from '~/utils/db.server'
import { translate } from '~/utils/i18n.server'

// Decision 0026: the workspace says nothing about sending unless an email has waited longer
// than expected; then it says how many, since when, and why.

async function queueConfirmation(campaign: { id: string }, minutesAgo: number, priority: number = EMAIL_PRIORITY.transactional) {
  const signature = await createSignature(getDb(), { campaign_id: campaign.id })
  await queueEmail(getDb(), {
    template: 'signature-confirmation',
    payload: { token: 't' },
    locale: 'en',
    signatureId: signature.id,
    campaignId: campaign.id,
    priority,
  })
  await sql`update email_messages set created_at = now() - make_interval(mins => ${minutesAgo}) where signature_id = ${signature.id}`.execute(getDb())
}

async function dashboard(admin: { headers: Record<string, string> }, lang = 'en') {
  const response = await callRoute(dashboardLoader, { url: `/admin?lang=${lang}`, headers: { ...admin.headers, 'Accept-Language': lang } })
  expect(response.status).toBe(200)
  return response.data
}

describe('an owner looks at the dashboard while emails are delayed', () => {
  it('sees nothing while emails go out in the expected time', async () => {
    const owner = await createAdmin(getDb())
    const campaign = await createCampaign(getDb(), { organisation_id: owner.organisation.id })
    await queueConfirmation(campaign, 1)
    // An update may take longer: 10 minutes is still on time.
    await queueConfirmation(campaign, 10, EMAIL_PRIORITY.update)
    expect((await dashboard(owner)).delayed).toBeNull()
  })

  it('sees the emails waiting too long, and that no job runner is running', async () => {
    const owner = await createAdmin(getDb())
    const campaign = await createCampaign(getDb(), { organisation_id: owner.organisation.id })
    await queueConfirmation(campaign, 5)
    await queueConfirmation(campaign, 20, EMAIL_PRIORITY.update)
    // Another organisation's stuck email is not this one's business.
    await queueConfirmation(await createCampaign(getDb()), 30)
    const { delayed } = await dashboard(owner)
    expect(delayed).toMatchObject({ waiting: 2, updates: 1, reason: { kind: 'no-worker' } })
    expect(delayed.oldestAgo).toBe('20 minutes ago')
  })

  it('sees the provider’s own reason when it refused the batch', async () => {
    const owner = await createAdmin(getDb())
    const campaign = await createCampaign(getDb(), { organisation_id: owner.organisation.id })
    await queueConfirmation(campaign, 5)
    const batch = await getDb()
      .insertInto('email_batches')
      .values({ idempotency_key: 'chorus-email-batch/test', last_error: 'The domain is not verified' })
      .returning('id')
      .executeTakeFirstOrThrow()
    await getDb().updateTable('email_messages').set({ status: 'sending', batch_id: batch.id }).execute()
    const { delayed } = await dashboard(owner)
    expect(delayed).toMatchObject({ waiting: 1, updates: 0, reason: { kind: 'provider', message: 'The domain is not verified' } })
  })

  it('with a job runner alive and no error, is told the backlog will go out', async () => {
    const owner = await createAdmin(getDb())
    const campaign = await createCampaign(getDb(), { organisation_id: owner.organisation.id })
    await queueConfirmation(campaign, 5)
    await recordHeartbeat({ workerId: 'test-worker', jobWorkerIds: ['worker-1'], draining: false })
    expect((await dashboard(owner)).delayed).toMatchObject({ waiting: 1, reason: { kind: 'unknown' } })
  })

  it('a viewer is not shown the sending at all', async () => {
    const owner = await createAdmin(getDb())
    const viewer = await createAdmin(getDb(), { role: 'viewer', organisationId: owner.organisation.id })
    const campaign = await createCampaign(getDb(), { organisation_id: owner.organisation.id })
    await queueConfirmation(campaign, 5)
    expect((await dashboard(viewer)).delayed).toBeNull()
  })

  it('sees an update that is taking too long marked delayed on its page, with the reason', async () => {
    const campaign = await createCampaign(getDb())
    for (let i = 0; i < 3; i++) await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', consent_updates: true })
    const { id: updateId } = await createCampaignUpdate(getDb(), {
      campaignId: campaign.id,
      kind: 'update',
      content: [{ locale: 'en', subject: 'News', body: 'Some news.' }],
      createdBy: null,
    })
    await startUpdateSend(getDb(), updateId, null)
    await runUpdateFanOut(updateId)
    expect((await getUpdateProgress(updateId)).delayed).toBeNull()
    await sql`update email_messages set created_at = now() - interval '20 minutes' where update_id = ${updateId}`.execute(getDb())
    await getDb()
      .insertInto('email_send_throttle')
      .values({ id: 1, next_at: new Date(Date.now() + 60_000), reason: 'Too many requests' })
      .onConflict((oc) => oc.column('id').doUpdateSet({ next_at: new Date(Date.now() + 60_000), reason: 'Too many requests' }))
      .execute()
    expect(await getUpdateProgress(updateId)).toMatchObject({ remaining: 3, delayed: { kind: 'provider', message: 'Too many requests' } })
  })

  it('reads in English and Russian', () => {
    expect(translate('en', 'admin.delayed.waiting', { count: 1 })).toBe('1 email has been waiting longer than expected to go out.')
    expect(translate('ru', 'admin.delayed.waiting', { count: 5 })).toBe('5 писем ждут отправки дольше обычного.')
    expect(translate('ru', 'admin.delayed.updates', { count: 2 })).toBe('Из них 2 — новости для подписавших.')
    expect(translate('ru', 'admin.delayed.reason.provider', { message: 'x' })).toContain('Причина')
  })
})

describe('an owner looks at the dashboard after the provider refused emails for good', () => {
  const fake = fakeResendSuite()

  async function signThrough(campaign: { id: string }, email: string) {
    await signCampaign(
      { id: campaign.id, consentVersion: 'v1' },
      { fullName: 'Ada Lovelace', email, country: 'GB' },
      { ip: '198.51.100.9', userAgent: 't', locale: 'en' },
    )
  }

  it('sees how many, of which kind, the provider’s reason and when; a viewer and another organisation see none of it', async () => {
    fake.use({ RESEND_RATE_LIMIT: '1000' })
    const resend = fake.resend
    const owner = await createAdmin(getDb())
    const viewer = await createAdmin(getDb(), { role: 'viewer', organisationId: owner.organisation.id })
    const campaign = await createCampaign(getDb(), { organisation_id: owner.organisation.id })
    const elsewhere = await createAdmin(getDb())
    expect((await dashboard(owner)).refused).toBeNull()

    await signThrough(campaign, 'ada@example.org')
    await signThrough(campaign, 'grace@example.org')
    // The batch of two is refused, then each alone: the first for good, the second is sent.
    resend.failNextBatches(2, 422, { name: 'validation_error', message: 'Invalid `to` field', statusCode: 422 })
    await drainOutbox('refusals')
    const statuses = (await getDb().selectFrom('email_messages').select('status').orderBy('id').execute()).map((row) => row.status)
    expect(statuses).toEqual(['failed', 'sent'])

    const { refused } = await dashboard(owner)
    expect(refused).toEqual({
      total: 1,
      days: 30,
      groups: [
        { kind: 'signature-confirmation', reason: expect.stringContaining('Invalid `to` field') as unknown, count: 1, lastAgo: expect.any(String) as unknown },
      ],
    })
    expect((await dashboard(viewer)).refused).toBeNull()
    expect((await dashboard(elsewhere)).refused).toBeNull()

    // Older than the window: no longer listed.
    await sql`update email_messages set updated_at = now() - interval '31 days' where status = 'failed'`.execute(getDb())
    expect((await dashboard(owner)).refused).toBeNull()
  })

  it('reads in English and Russian', () => {
    expect(translate('en', 'admin.refused.summary', { count: 1, days: 30 })).toBe(
      'In the last 30 days the email provider refused 1 email for good: it was not sent and will not be tried again.',
    )
    expect(translate('ru', 'admin.refused.summary', { count: 5, days: 30 })).toContain('отклонил 5 писем')
    expect(translate('ru', 'admin.refused.kind.signature-confirmation')).toBe('Подтверждение подписи')
  })
})
