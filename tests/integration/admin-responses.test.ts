import { describe, expect, it } from 'vitest'
import { adminForm, createAdmin, type TestAdmin } from '../support/admin'
import { createCampaign } from '../support/factories'
import { callRoute } from '../support/routes'
import { action, loader } from '~/routes/admin.campaigns.$campaignId.responses'
import { getDb } from '~/utils/db.server'
import { type MessageKey } from '~/utils/i18n'
import { translate } from '~/utils/i18n.server'

async function setup() {
  const owner = await createAdmin(getDb(), { role: 'campaigner' })
  const campaign = await createCampaign(getDb(), {
    organisation_id: owner.organisation.id,
    title: 'Free the river',
    target_name: 'The Minister',
    translations: { ru: { title: 'Свободу реке', summary: 'Кратко.', demand: 'Требуем.', target_name: 'Министр' } },
  })
  return { owner, campaign }
}

function post(admin: TestAdmin, campaignId: string, values: Record<string, string>) {
  return callRoute(action, {
    url: `/admin/campaigns/${campaignId}/responses`,
    method: 'POST',
    headers: admin.headers,
    params: { campaignId },
    body: adminForm(admin, values),
  })
}

const responses = (campaignId: string) =>
  getDb()
    .selectFrom('campaign_responses')
    .select(['id', 'body', 'source_url', 'update_id', 'created_by', (eb) => eb.cast<string>('responded_on', 'text').as('responded_on')])
    .where('campaign_id', '=', campaignId)
    .orderBy('id')
    .execute()

const auditActions = async () => (await getDb().selectFrom('audit_events').select(['action', 'changes']).orderBy('id').execute()).map((e) => e.action)

describe('/admin/campaigns/:id/responses', () => {
  it('records, edits and deletes a response, each audited', async () => {
    const { owner, campaign } = await setup()
    const created = await post(owner, campaign.id, {
      intent: 'create',
      respondedOn: '2026-03-12',
      body: 'We will review the cases.',
      sourceUrl: 'https://gov.example/statement',
    })
    expect(created.status).toBe(302)
    expect(created.headers.get('Location')).toBe(`/admin/campaigns/${campaign.id}/responses?done=created`)
    const [row] = await responses(campaign.id)
    expect(row).toMatchObject({
      responded_on: '2026-03-12',
      body: 'We will review the cases.',
      source_url: 'https://gov.example/statement',
      created_by: owner.user.id,
    })

    const page = await callRoute(loader, {
      url: `/admin/campaigns/${campaign.id}/responses?edit=${row!.id}`,
      headers: owner.headers,
      params: { campaignId: campaign.id },
    })
    expect(page.status).toBe(200)
    expect(page.data.responses).toEqual([
      { id: row!.id, respondedOn: '2026-03-12', body: 'We will review the cases.', sourceUrl: 'https://gov.example/statement', updateId: null },
    ])
    expect(page.data.editing).toMatchObject({ id: row!.id, respondedOn: '2026-03-12' })

    // No source link is fine: it is optional.
    const edited = await post(owner, campaign.id, {
      intent: 'edit',
      responseId: row!.id,
      respondedOn: '2026-03-13',
      body: 'We will review all cases.',
      sourceUrl: '',
    })
    expect(edited.status).toBe(302)
    expect((await responses(campaign.id))[0]).toMatchObject({ responded_on: '2026-03-13', body: 'We will review all cases.', source_url: null })

    const deleted = await post(owner, campaign.id, { intent: 'delete', responseId: row!.id })
    expect(deleted.status).toBe(302)
    expect(await responses(campaign.id)).toEqual([])
    expect(await auditActions()).toEqual(['response.created', 'response.updated', 'response.deleted'])
    const updatedEvent = (await getDb().selectFrom('audit_events').select('changes').where('action', '=', 'response.updated').executeTakeFirstOrThrow()).changes
    expect(updatedEvent).toMatchObject({
      respondedOn: { from: '2026-03-12', to: '2026-03-13' },
      sourceUrl: { from: 'https://gov.example/statement', to: null },
      body: 'changed',
    })

    // Gone already: a translated 404, nothing audited.
    const again = await post(owner, campaign.id, { intent: 'delete', responseId: row!.id })
    expect(again.status).toBe(404)
    expect(again.data.result.error['']).toEqual(['admin.responses.error.gone'])
    expect(await auditActions()).toHaveLength(3)
  })

  it('refuses bad input with a 400 and translatable messages, writing nothing', async () => {
    const { owner, campaign } = await setup()
    const tomorrowPlusOne = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10)
    for (const [values, errors] of [
      [
        { respondedOn: '', body: '', sourceUrl: '' },
        { respondedOn: ['admin.responses.error.date'], body: ['admin.responses.error.body'] },
      ],
      [
        { respondedOn: '2026-02-30', body: 'x', sourceUrl: 'http://gov.example/statement' },
        { respondedOn: ['admin.responses.error.date'], sourceUrl: ['admin.responses.error.sourceUrl'] },
      ],
      [
        { respondedOn: tomorrowPlusOne, body: 'x'.repeat(5001), sourceUrl: 'javascript:alert(1)' },
        {
          respondedOn: ['admin.responses.error.date'],
          body: ['admin.responses.error.body'],
          sourceUrl: ['admin.responses.error.sourceUrl'],
        },
      ],
    ] as const) {
      const refused = await post(owner, campaign.id, { intent: 'create', ...values })
      expect(refused.status).toBe(400)
      expect(refused.data.result.error).toEqual(errors)
      for (const keys of Object.values(errors)) for (const key of keys) expect(translate('ru', key as MessageKey)).not.toBe(key)
    }
    expect(await responses(campaign.id)).toEqual([])
    expect(await auditActions()).toEqual([])
  })

  it('drafts one response update quoting it in each language and goes to its page', async () => {
    const { owner, campaign } = await setup()
    await post(owner, campaign.id, { intent: 'create', respondedOn: '2026-03-12', body: 'We will review\nthe cases.', sourceUrl: 'https://gov.example/s' })
    const [row] = await responses(campaign.id)
    const drafted = await post(owner, campaign.id, { intent: 'write-update', responseId: row!.id })
    expect(drafted.status).toBe(302)
    const update = await getDb().selectFrom('campaign_updates').selectAll().executeTakeFirstOrThrow()
    expect(drafted.headers.get('Location')).toBe(`/admin/campaigns/${campaign.id}/updates/${update.id}`)
    expect(update).toMatchObject({ campaign_id: campaign.id, kind: 'response', status: 'draft', created_by: owner.user.id })
    expect((await responses(campaign.id))[0]!.update_id).toBe(update.id)
    const texts = await getDb().selectFrom('campaign_update_translations').selectAll().where('update_id', '=', update.id).orderBy('locale').execute()
    expect(texts.map((t) => [t.locale, t.subject])).toEqual([
      ['en', 'Free the river: The Minister has responded'],
      ['ru', 'Свободу реке: получен ответ (Министр)'],
    ])
    expect(texts[0]!.body).toBe(
      'On March 12, 2026, The Minister responded to our campaign “Free the river”:\n\n> We will review\n> the cases.\n\nSource: <https://gov.example/s>',
    )
    expect(texts[1]!.body).toContain('> We will review')

    // Asking again goes to the same draft.
    const again = await post(owner, campaign.id, { intent: 'write-update', responseId: row!.id })
    expect(again.headers.get('Location')).toBe(`/admin/campaigns/${campaign.id}/updates/${update.id}`)
    expect(await getDb().selectFrom('campaign_updates').select('id').execute()).toHaveLength(1)
    expect(await auditActions()).toEqual(['response.created', 'response.update_drafted'])
  })

  it('lets a viewer read the responses but not record, edit or delete one', async () => {
    const { owner, campaign } = await setup()
    const viewer = await createAdmin(getDb(), { role: 'viewer', organisationId: owner.organisation.id })
    await post(owner, campaign.id, { intent: 'create', respondedOn: '2026-03-12', body: 'We will review the cases.', sourceUrl: '' })
    const [row] = await responses(campaign.id)

    const page = await callRoute(loader, {
      url: `/admin/campaigns/${campaign.id}/responses?edit=${row!.id}`,
      headers: viewer.headers,
      params: { campaignId: campaign.id },
    })
    expect(page.status).toBe(200)
    expect(page.data.canEdit).toBe(false)
    expect(page.data.editing).toBeNull()
    expect(page.data.responses).toHaveLength(1)
    for (const values of <Record<string, string>[]>[
      { intent: 'create', respondedOn: '2026-03-12', body: 'Viewer text', sourceUrl: '' },
      { intent: 'edit', responseId: row!.id, respondedOn: '2026-03-12', body: 'Viewer text', sourceUrl: '' },
      { intent: 'delete', responseId: row!.id },
      { intent: 'write-update', responseId: row!.id },
    ]) {
      expect((await post(viewer, campaign.id, values)).status).toBe(403)
    }
    expect(await responses(campaign.id)).toEqual([expect.objectContaining({ body: 'We will review the cases.', update_id: null })])

    // Another organisation's campaign is not there at all.
    const stranger = await createAdmin(getDb(), { role: 'owner' })
    expect((await post(stranger, campaign.id, { intent: 'delete', responseId: row!.id })).status).toBe(404)
    expect(
      (await callRoute(loader, { url: `/admin/campaigns/${campaign.id}/responses`, headers: stranger.headers, params: { campaignId: campaign.id } })).status,
    ).toBe(404)
  })
})
