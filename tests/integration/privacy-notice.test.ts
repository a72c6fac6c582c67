import { describe, expect, it } from 'vitest'
import { adminForm, createAdmin } from '../support/admin'
import { createCampaign } from '../support/factories'
import { callRoute } from '../support/routes'
import { createApiKey, revokeApiKey } from '~/models/api-key.server'
import { DEFAULT_RETENTION, getRetentionPolicy } from '~/models/retention-policy.server'
import { action as apiKeysAction } from '~/routes/admin.api-keys'
import { action, loader as organisationLoader } from '~/routes/admin.organisation'
import { loader as noticeLoader } from '~/routes/campaigns.$slug_.privacy'
import { getDb } from '~/utils/db.server'
import { translate } from '~/utils/i18n.server'

const URL_ = '/admin/organisation'
type Who = { headers: Record<string, string>; csrfToken: string }
const saveRetention = (who: Who, values: Record<string, string>) =>
  callRoute(action, { url: URL_, method: 'POST', headers: who.headers, body: adminForm(who, { intent: 'retention', ...values }) })

const notice = (slug: string, headers: Record<string, string> = {}) => callRoute(noticeLoader, { url: `/campaigns/${slug}/privacy`, params: { slug }, headers })

async function keyFor(owner: Awaited<ReturnType<typeof createAdmin>>, name: string, crmSync = false) {
  const created = await createApiKey(owner.context, { name, scope: 'read', crmSync })
  if (created.status !== 'created') throw new Error('key not created')
  return created
}

describe('the retention periods in the workspace', () => {
  it('shows the defaults, lets an owner change them, and audits what changed', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const page = await callRoute(organisationLoader, { url: URL_, headers: owner.headers })
    expect(page.data.retention).toEqual(DEFAULT_RETENTION)

    const saved = await saveRetention(owner, { signerMonths: '3', unconfirmedDays: '14', financialYears: '7' })
    expect(saved.status).toBe(302)
    expect(saved.headers.get('Location')).toBe('/admin/organisation?done=retention-saved')
    expect(await getRetentionPolicy(owner.organisation.id)).toEqual({ signerMonths: 3, unconfirmedDays: 14, financialYears: 7 })
    const audit = await getDb().selectFrom('audit_events').selectAll().where('action', '=', 'organisation.retention_updated').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ organisation_id: owner.organisation.id, actor_user_id: owner.user.id, subject_type: 'organisation' })
    expect(audit[0]!.changes).toEqual({ signer_retention_months: { from: 6, to: 3 }, unconfirmed_retention_days: { from: 30, to: 14 } })

    // The same values again: nothing to record.
    await saveRetention(owner, { signerMonths: '3', unconfirmedDays: '14', financialYears: '7' })
    expect(await getDb().selectFrom('audit_events').selectAll().where('action', '=', 'organisation.retention_updated').execute()).toHaveLength(1)
    // The identity form's fields are untouched by it.
    const row = await getDb().selectFrom('organisations').select(['name']).where('id', '=', owner.organisation.id).executeTakeFirstOrThrow()
    expect(row.name).toBe(owner.organisation.name)
  })

  it('answers out-of-range, non-numeric and missing periods with 400 and an error for each field, changing nothing', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const cases: [Record<string, string>, Record<string, string[]>][] = [
      [
        { signerMonths: '0', unconfirmedDays: '366', financialYears: '31' },
        {
          signerMonths: ['admin.retention.error.signerMonths'],
          unconfirmedDays: ['admin.retention.error.unconfirmedDays'],
          financialYears: ['admin.retention.error.financialYears'],
        },
      ],
      [
        { signerMonths: '121', unconfirmedDays: '1.5', financialYears: '' },
        {
          signerMonths: ['admin.retention.error.signerMonths'],
          unconfirmedDays: ['admin.retention.error.unconfirmedDays'],
          financialYears: ['admin.retention.error.financialYears'],
        },
      ],
      [
        { signerMonths: '-3', unconfirmedDays: '9'.repeat(70_000), financialYears: 'seven' },
        {
          signerMonths: ['admin.retention.error.signerMonths'],
          unconfirmedDays: ['admin.retention.error.unconfirmedDays'],
          financialYears: ['admin.retention.error.financialYears'],
        },
      ],
    ]
    for (const [values, errors] of cases) {
      const response = await saveRetention(owner, values)
      expect(response.status).toBe(400)
      expect(response.data.form).toBe('retention')
      expect(response.data.result.error).toEqual(errors)
    }
    expect(await getRetentionPolicy(owner.organisation.id)).toEqual(DEFAULT_RETENTION)
    // The bounds themselves are accepted.
    expect((await saveRetention(owner, { signerMonths: '120', unconfirmedDays: '1', financialYears: '30' })).status).toBe(302)
    expect(await getRetentionPolicy(owner.organisation.id)).toEqual({ signerMonths: 120, unconfirmedDays: 1, financialYears: 30 })
  })

  it('is for owners only: campaigners and viewers get 403 and change nothing', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    for (const role of ['campaigner', 'viewer'] as const) {
      const member = await createAdmin(getDb(), { role, organisationId: owner.organisation.id })
      expect((await saveRetention(member, { signerMonths: '1', unconfirmedDays: '1', financialYears: '1' })).status).toBe(403)
    }
    expect(await getRetentionPolicy(owner.organisation.id)).toEqual(DEFAULT_RETENTION)
  })
})

describe('the organisation’s privacy notice beside the sign form', () => {
  it('names the organisation, its contact, the retention periods and the systems that receive signers’ details', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const db = getDb()
    await db
      .updateTable('organisations')
      .set({ name: 'Rainbow Rights', contact_email: 'privacy@rainbow.example', website_url: 'https://rainbow.example/' })
      .where('id', '=', owner.organisation.id)
      .execute()
    const campaign = await createCampaign(db, { organisation_id: owner.organisation.id, title: 'Stand with them' })
    await saveRetention(owner, { signerMonths: '4', unconfirmedDays: '10', financialYears: '8' })
    await keyFor(owner, 'Newsletter tool')
    await keyFor(owner, 'Supporter CRM', true)
    const gone = await keyFor(owner, 'Old export', true)
    expect(await revokeApiKey(owner.context, gone.id)).toBe(true)
    const stranger = await createAdmin(db, { role: 'owner' })
    await keyFor(stranger, 'Someone else’s CRM', true)

    const response = await notice(campaign.slug)
    expect(response.status).toBe(200)
    expect(response.headers.get('Cache-Control')).toMatch(/^public/)
    expect(response.data).toMatchObject({
      campaign: { slug: campaign.slug, title: 'Stand with them' },
      organisation: { name: 'Rainbow Rights', contactEmail: 'privacy@rainbow.example', websiteUrl: 'https://rainbow.example/' },
      retention: { signerMonths: 4, unconfirmedDays: 10, financialYears: 8 },
      addressHashDays: 30,
    })
    // Active keys only, this organisation's only, the CRM sync first; names and nothing else.
    expect(response.data.readers).toEqual([
      { name: 'Supporter CRM', crmSync: true },
      { name: 'Newsletter tool', crmSync: false },
    ])
  })

  it('says so when no system reads signatures, and follows a key made or marked for CRM sync', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const campaign = await createCampaign(getDb(), { organisation_id: owner.organisation.id })
    expect((await notice(campaign.slug)).data.readers).toEqual([])
    const key = await keyFor(owner, 'Reporting')
    expect((await notice(campaign.slug)).data.readers).toEqual([{ name: 'Reporting', crmSync: false }])
    await callRoute(apiKeysAction, {
      url: '/admin/api-keys',
      method: 'POST',
      headers: owner.headers,
      body: adminForm(owner, { intent: 'crm-sync', keyId: key.id, crmSync: 'on' }),
    })
    expect((await notice(campaign.slug)).data.readers).toEqual([{ name: 'Reporting', crmSync: true }])
  })

  it('answers 404 for drafts and unknown campaigns, and follows the campaign’s language', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const draft = await createCampaign(getDb(), { organisation_id: owner.organisation.id, status: 'draft' })
    expect((await notice(draft.slug)).status).toBe(404)
    expect((await notice('no-such-campaign')).status).toBe(404)
    const live = await createCampaign(getDb(), { organisation_id: owner.organisation.id })
    const russian = await callRoute(noticeLoader, { url: `/campaigns/${live.slug}/privacy?lang=ru`, params: { slug: live.slug } })
    expect(russian.data.pageTitle).toBe(`Политика конфиденциальности: ${owner.organisation.name}`)
  })

  it('tells signers, in both languages, that API keys get their name only with their consent and email addresses only for CRM sync', () => {
    for (const crmSync of [true, false]) {
      const key = crmSync ? 'privacy.org.receiveWithEmail' : 'privacy.org.receiveWithoutEmail'
      expect(translate('en', key, { name: 'Tool' })).toContain('your name only if you agreed to show it')
      expect(translate('ru', key, { name: 'Tool' })).toContain('имя — только если вы согласились его показывать')
    }
    expect(translate('en', 'privacy.org.receiveWithoutEmail', { name: 'Tool' })).toContain('never your email address')
    expect(translate('en', 'privacy.org.namesAndEmails')).toContain('Only the systems marked CRM sync receive email addresses.')
    expect(translate('ru', 'privacy.org.namesAndEmails')).toContain('только если вы отметили, что согласны показывать имя')
  })

  it('says on the sign form’s “show my name” box, in both languages, that the systems in the privacy notice receive the name', () => {
    expect(translate('en', 'sign.consentShowName')).toContain('give my name to the organisation’s systems listed in its privacy notice, such as its CRM')
    expect(translate('ru', 'sign.consentShowName')).toContain('передавать моё имя системам организации, перечисленным в её политике конфиденциальности')
  })

  it('words each period in real Russian plural forms', () => {
    expect(translate('ru', 'privacy.org.months', { count: 1 })).toBe('1 месяц')
    expect(translate('ru', 'privacy.org.months', { count: 3 })).toBe('3 месяца')
    expect(translate('ru', 'privacy.org.months', { count: 6 })).toBe('6 месяцев')
    expect(translate('ru', 'privacy.org.days', { count: 21 })).toBe('21 день')
    expect(translate('ru', 'privacy.org.years', { count: 7 })).toBe('7 лет')
    expect(translate('en', 'privacy.org.years', { count: 1 })).toBe('1 year')
  })
})
