import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createAdmin } from '../support/admin'
import { createCampaign, createSignature } from '../support/factories'
import { callRoute } from '../support/routes'
import { loader as dashboardLoader } from '~/routes/admin._index'
import { EMAIL_PRIORITY, queueEmail } from '~/models/email-outbox.server'
import { recordHeartbeat } from '~/models/worker-heartbeat.server'
import { getDb } from '~/utils/db.server'
import { translate } from '~/utils/i18n.server'

// Decision 0026: the workspace says nothing about sending unless an email has waited longer
// than expected; then it says how many, since when, and why.

async function queueConfirmation(campaign: { id: string }, minutesAgo: number, priority: number = EMAIL_PRIORITY.transactional) {
  const signature = await createSignature(getDb(), { campaign_id: campaign.id })
  await queueEmail(getDb(), { template: 'signature-confirmation', payload: { token: 't' }, locale: 'en', signatureId: signature.id, campaignId: campaign.id, priority })
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
    const batch = await getDb().insertInto('email_batches').values({ idempotency_key: 'chorus-email-batch/test', last_error: 'The domain is not verified' }).returning('id').executeTakeFirstOrThrow()
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

  it('reads in English and Russian', () => {
    expect(translate('en', 'admin.delayed.waiting', { count: 1 })).toBe('1 email has been waiting longer than expected to go out.')
    expect(translate('ru', 'admin.delayed.waiting', { count: 5 })).toBe('5 писем ждут отправки дольше обычного.')
    expect(translate('ru', 'admin.delayed.updates', { count: 2 })).toBe('Из них 2 — новости для подписавших.')
    expect(translate('ru', 'admin.delayed.reason.provider', { message: 'x' })).toContain('Причина')
  })
})
