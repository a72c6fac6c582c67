import { describe, expect, it } from 'vitest'
import { adminForm, createAdmin, type TestAdmin } from '../support/admin'
import { createCampaign, createSignature } from '../support/factories'
import { queuedJobs, runDueJobs, openEmailRow } from '../support/jobs'
import { callRoute } from '../support/routes'
import { loader as listLoader } from '~/routes/admin.campaigns.$campaignId.updates._index'
import { action as newAction, loader as newLoader } from '~/routes/admin.campaigns.$campaignId.updates.new'
import { action as updateAction, loader as updateLoader } from '~/routes/admin.campaigns.$campaignId.updates.$updateId'
import { getDb } from '~/utils/db.server'
import { translate } from '~/utils/i18n.server'

const db = () => getDb()

async function setUp({ role = 'campaigner' as const } = {}) {
  const owner = await createAdmin(db(), { role: 'owner' })
  const admin = role === 'campaigner' ? await createAdmin(db(), { role, organisationId: owner.organisation.id }) : owner
  const campaign = await createCampaign(db(), { organisation_id: owner.organisation.id, title: 'Save the river' })
  for (let i = 0; i < 3; i++)
    await createSignature(db(), { campaign_id: campaign.id, state: 'confirmed', consent_updates: true, locale: i === 0 ? 'ru' : 'en' })
  await createSignature(db(), { campaign_id: campaign.id, state: 'confirmed', consent_updates: false })
  return { owner, admin, campaign }
}

async function createUpdate(
  admin: TestAdmin,
  campaignId: string,
  values: Record<string, string> = { subject: 'We met the minister', body: 'It went **well**.', public: 'on' },
) {
  const outcome = await callRoute(newAction, {
    url: `/admin/campaigns/${campaignId}/updates/new`,
    method: 'POST',
    headers: admin.headers,
    params: { campaignId },
    body: adminForm(admin, values),
  })
  expect(outcome.status).toBe(302)
  return /\/updates\/(\d+)\?locale=en&done=created$/.exec(outcome.headers.get('Location')!)![1]!
}

function post(admin: TestAdmin, campaignId: string, updateId: string, values: Record<string, string>, { locale = 'en', lang = 'en' } = {}) {
  return callRoute(updateAction, {
    url: `/admin/campaigns/${campaignId}/updates/${updateId}?locale=${locale}&lang=${lang}`,
    method: 'POST',
    headers: admin.headers,
    params: { campaignId, updateId },
    body: adminForm(admin, values),
  })
}

function load(admin: TestAdmin, campaignId: string, updateId: string, locale = 'en') {
  return callRoute(updateLoader, {
    url: `/admin/campaigns/${campaignId}/updates/${updateId}?locale=${locale}`,
    headers: admin.headers,
    params: { campaignId, updateId },
  })
}

describe('the updates workspace', () => {
  it('lists updates with the audience size now', async () => {
    const { admin, campaign } = await setUp()
    await createUpdate(admin, campaign.id)
    const page = await callRoute(listLoader, { url: `/admin/campaigns/${campaign.id}/updates`, headers: admin.headers, params: { campaignId: campaign.id } })
    expect(page.status).toBe(200)
    expect(page.data.audience).toBe(3)
    expect(page.data.canEdit).toBe(true)
    expect(page.data.updates).toHaveLength(1)
    expect(page.data.updates[0]).toMatchObject({ subject: 'We met the minister', status: 'draft', kind: 'update' })
    const newPage = await callRoute(newLoader, {
      url: `/admin/campaigns/${campaign.id}/updates/new`,
      headers: admin.headers,
      params: { campaignId: campaign.id },
    })
    expect(newPage.status).toBe(200)
  })

  it('refuses an empty or overlong draft with 400 and translated messages', async () => {
    const { admin, campaign } = await setUp()
    const outcome = await callRoute(newAction, {
      url: `/admin/campaigns/${campaign.id}/updates/new`,
      method: 'POST',
      headers: admin.headers,
      params: { campaignId: campaign.id },
      body: adminForm(admin, { subject: '', body: 'x'.repeat(20_001) }),
    })
    expect(outcome.status).toBe(400)
    const errors = outcome.data.result.error
    expect(errors.subject).toEqual(['admin.updates.error.subject'])
    expect(errors.body).toEqual(['admin.updates.error.bodyTooLong:20000'])
    expect(translate('ru', 'admin.updates.error.subject')).toMatch(/[А-Яа-я]/)
    expect(translate('en', 'admin.updates.error.bodyTooLong', { max: 20000 })).toBe('The message must be 20,000 characters or fewer')
    expect(await db().selectFrom('campaign_updates').select('id').execute()).toHaveLength(0)
  })

  it('saves a draft per language under optimistic concurrency, and audits it', async () => {
    const { admin, campaign } = await setUp()
    const updateId = await createUpdate(admin, campaign.id)
    const saved = await post(
      admin,
      campaign.id,
      updateId,
      { intent: 'save', version: '1', subject: 'Мы встретились', body: 'Всё **хорошо**.' },
      { locale: 'ru' },
    )
    expect(saved.status).toBe(302)
    expect(saved.headers.get('Location')).toBe(`/admin/campaigns/${campaign.id}/updates/${updateId}?locale=ru&done=saved`)

    // A second person still on version 1 saves: nothing is written, they are told.
    const stale = await post(admin, campaign.id, updateId, { intent: 'save', version: '1', subject: 'Changed', body: 'Other', public: 'on' }, { lang: 'ru' })
    expect(stale.status).toBe(409)
    expect(stale.data.conflict).toBe(translate('ru', 'admin.updates.conflict'))
    const page = await load(admin, campaign.id, updateId, 'ru')
    expect(page.data.update.version).toBe(2)
    expect(page.data.defaultValue).toMatchObject({ subject: 'Мы встретились', body: 'Всё **хорошо**.' })
    expect(page.data.previewHtml).toContain('<strong>хорошо</strong>')
    expect(page.data.update.locales.sort()).toEqual(['en', 'ru'])

    // A translation with a subject but no message is refused.
    const half = await post(admin, campaign.id, updateId, { intent: 'save', version: '2', subject: 'Только тема' }, { locale: 'ru' })
    expect(half.status).toBe(400)
    expect(half.data.result.error.body).toEqual(['admin.updates.error.body'])

    const audit = await db().selectFrom('audit_events').select(['action', 'changes']).where('subject_type', '=', 'campaign_update').orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['campaign_update.created', 'campaign_update.saved'])
    expect(JSON.stringify(audit)).not.toContain('@example.org')
  })

  it('previews typed text without saving it', async () => {
    const { admin, campaign } = await setUp()
    const updateId = await createUpdate(admin, campaign.id)
    const outcome = await post(admin, campaign.id, updateId, {
      intent: 'preview',
      version: '1',
      subject: 'S',
      body: '# Big\n\n<img src=x onerror=alert(1)> *fine*',
    })
    expect(outcome.status).toBe(200)
    expect(outcome.data.bodyPreview).toContain('<em>fine</em>')
    expect(outcome.data.bodyPreview).not.toContain('onerror')
    expect((await load(admin, campaign.id, updateId)).data.update.version).toBe(1)
  })

  it('sends a test to the signed-in member only, marked [Test] and not counted', async () => {
    const { admin, campaign } = await setUp()
    const updateId = await createUpdate(admin, campaign.id)
    const outcome = await post(admin, campaign.id, updateId, { intent: 'test' })
    expect(outcome.status).toBe(302)
    expect(outcome.headers.get('Location')).toContain('done=test')
    // Through the outbox, ahead of any fan-out.
    await runDueJobs()
    const emails = await Promise.all((await db().selectFrom('email_messages').selectAll().execute()).map(openEmailRow))
    expect(emails).toHaveLength(1)
    expect(emails[0]).toMatchObject({ recipient: admin.user.email, subject: '[Test] We met the minister', update_id: null, status: 'sent' })
    expect(emails[0]!.html).toContain('<strong>well</strong>')
    const update = await db().selectFrom('campaign_updates').selectAll().where('id', '=', updateId).executeTakeFirstOrThrow()
    expect(update).toMatchObject({ status: 'draft', sent_count: 0 })

    const noRussian = await post(admin, campaign.id, updateId, { intent: 'test' }, { locale: 'ru', lang: 'ru' })
    expect(noRussian.status).toBe(400)
    expect(noRussian.data.testError).toMatch(/[А-Яа-я]/)
  })

  it('sends only after confirmation, once, and shows progress until it is done', async () => {
    const { admin, campaign } = await setUp()
    const updateId = await createUpdate(admin, campaign.id)

    const unconfirmed = await post(admin, campaign.id, updateId, { intent: 'send', version: '1' }, { lang: 'ru' })
    expect(unconfirmed.status).toBe(400)
    expect(unconfirmed.data.sendError).toBe(translate('ru', 'admin.updates.error.confirm'))
    const stale = await post(admin, campaign.id, updateId, { intent: 'send', version: '7', confirm: 'yes' })
    expect(stale.status).toBe(409)
    expect(await queuedJobs('send-campaign-update')).toHaveLength(0)

    const sent = await post(admin, campaign.id, updateId, { intent: 'send', version: '1', confirm: 'yes' })
    expect(sent.status).toBe(302)
    expect(sent.headers.get('Location')).toContain('done=sending')
    expect(await queuedJobs('send-campaign-update')).toHaveLength(1)
    const sending = await load(admin, campaign.id, updateId)
    expect(sending.data.update.status).toBe('sending')
    expect(sending.data.progress).toEqual({ audience: null, sent: 0, failed: 0, skipped: 0, remaining: 0, delayed: null })

    // Sending again, or editing, is refused now.
    const again = await post(admin, campaign.id, updateId, { intent: 'send', version: '1', confirm: 'yes' })
    expect(again.status).toBe(409)
    const edit = await post(admin, campaign.id, updateId, { intent: 'save', version: '1', subject: 'x', body: 'y' })
    expect(edit.status).toBe(409)

    await runDueJobs()
    const done = await load(admin, campaign.id, updateId)
    expect(done.data.update.status).toBe('sent')
    expect(done.data.progress).toEqual({ audience: 3, sent: 3, failed: 0, skipped: 0, remaining: 0, delayed: null })
    const emails = await db().selectFrom('email_messages').select(['locale', 'subject']).where('update_id', '=', updateId).execute()
    // No Russian text: the Russian signer gets the campaign's main language.
    expect(emails.map((e) => e.locale).sort()).toEqual(['en', 'en', 'en'])
    const audit = await db().selectFrom('audit_events').select(['action', 'changes']).where('action', '=', 'campaign_update.send_started').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.changes).toMatchObject({ audience: 3 })
  })

  it('stops a send in progress: nobody else gets it, and it is audited', async () => {
    const { admin, campaign } = await setUp()
    const updateId = await createUpdate(admin, campaign.id)
    const notYet = await post(admin, campaign.id, updateId, { intent: 'cancel' }, { lang: 'ru' })
    expect(notYet.status).toBe(409)
    expect(notYet.data.formError).toBe(translate('ru', 'admin.updates.error.notSending'))

    expect((await post(admin, campaign.id, updateId, { intent: 'send', version: '1', confirm: 'yes' })).status).toBe(302)
    const stopped = await post(admin, campaign.id, updateId, { intent: 'cancel' })
    expect(stopped.status).toBe(302)
    expect(stopped.headers.get('Location')).toContain('done=cancelled')
    // The job still runs, finds the update cancelled, and sends nothing.
    await runDueJobs()
    const page = await load(admin, campaign.id, updateId)
    expect(page.data.update.status).toBe('cancelled')
    expect(await db().selectFrom('email_messages').select('id').where('update_id', '=', updateId).where('status', '=', 'sent').execute()).toHaveLength(0)
    const audit = await db().selectFrom('audit_events').select('action').where('action', '=', 'campaign_update.cancelled').execute()
    expect(audit).toHaveLength(1)
    expect((await post(admin, campaign.id, updateId, { intent: 'cancel' })).status).toBe(409)
  })

  it('will not send an update without text in the campaign’s main language', async () => {
    const { admin, campaign } = await setUp()
    const updateId = await createUpdate(admin, campaign.id)
    await post(admin, campaign.id, updateId, { intent: 'save', version: '1', subject: 'Новости', body: 'Текст' }, { locale: 'ru' })
    await db().deleteFrom('campaign_update_translations').where('update_id', '=', updateId).where('locale', '=', 'en').execute()
    const outcome = await post(admin, campaign.id, updateId, { intent: 'send', version: '2', confirm: 'yes' })
    expect(outcome.status).toBe(400)
    expect(outcome.data.sendError).toContain('English')
  })

  it('lets a viewer read an update but shows no form and no address', async () => {
    const { owner, admin, campaign } = await setUp()
    const updateId = await createUpdate(admin, campaign.id)
    const viewer = await createAdmin(db(), { role: 'viewer', organisationId: owner.organisation.id })
    const page = await load(viewer, campaign.id, updateId)
    expect(page.status).toBe(200)
    expect(page.data).toMatchObject({ canEdit: false, ownEmail: null })
    const refused = await post(viewer, campaign.id, updateId, { intent: 'send', version: '1', confirm: 'yes' })
    expect(refused.status).toBe(403)
  })

  it('answers a bad intent with 400', async () => {
    const { admin, campaign } = await setUp()
    const updateId = await createUpdate(admin, campaign.id)
    const outcome = await post(admin, campaign.id, updateId, { intent: 'launch' }, { lang: 'ru' })
    expect(outcome.status).toBe(400)
    expect(outcome.data.formError).toBe(translate('ru', 'admin.updates.error.intent'))
  })
})
