import { describe, expect, it } from 'vitest'
import { action as suppressionsAction, loader as suppressionsLoader } from '~/routes/admin.suppressions'
import { action, loader } from '~/routes/unsubscribe.$token'
import { removeSignature } from '~/models/supporter.server'
import type { SuppressionReason } from '#db/types'
import { emailIndex, seal } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'
import { unsubscribeToken } from '~/utils/unsubscribe.server'
import { adminForm, createAdmin } from '../support/admin'
import { createCampaign, createOrganisation, createSignature } from '../support/factories'
import { callRoute, form } from '../support/routes'

const db = () => getDb()

/** A suppression as the app stores one: the blind index, and the address sealed for the workspace's list. */
const suppression = async (organisation_id: string, email: string, reason: SuppressionReason) => ({
  organisation_id,
  email_index: await emailIndex(email),
  email: await seal(organisation_id, email),
  reason,
})

/** A confirmed signer who asked for updates, on a campaign of a (new or given) organisation. */
async function signer({ organisationId, email = 'Jo.Bloggs@example.org', locale = 'en' }: { organisationId?: string; email?: string; locale?: string } = {}) {
  const campaign = await createCampaign(db(), {
    ...(organisationId ? { organisation_id: organisationId } : {}),
    translations: { ru: { title: 'Освободите защитников', summary: 'Кратко.', demand: 'Требуем.', target_name: 'Министр' } },
  })
  const signature = await createSignature(db(), {
    campaign_id: campaign.id,
    email,
    state: 'confirmed',
    consent_updates: true,
    locale,
  })
  return { campaign, signature, token: unsubscribeToken(signature.id) }
}

const FORGED = (signatureId: string) => `${signatureId}.${'A'.repeat(43)}`

const oneClick = (token: string, body: BodyInit = 'List-Unsubscribe=One-Click', headers: Record<string, string> = {}) =>
  callRoute(action, { url: `/unsubscribe/${token}`, method: 'POST', body, params: { token }, headers })
const choose = (token: string, scope: string, lang = 'en') =>
  callRoute(action, { url: `/unsubscribe/${token}?lang=${lang}`, method: 'POST', body: form({ scope }), params: { token } })
const page = (token: string, lang = 'en') => callRoute(loader, { url: `/unsubscribe/${token}?lang=${lang}`, params: { token } })

const unsubscribes = () => db().selectFrom('email_unsubscribes').select(['organisation_id', 'email_index', 'campaign_id', 'source']).orderBy('id').execute()
const consentOf = async (signatureId: string) =>
  (await db().selectFrom('signatures').select('consent_updates').where('id', '=', signatureId).executeTakeFirstOrThrow()).consent_updates

describe('one-click unsubscribe (RFC 8058)', () => {
  it('a mail provider’s POST unsubscribes from this campaign at once and answers 200, without session or CSRF token', async () => {
    const { campaign, signature, token } = await signer()
    const response = await oneClick(token)
    expect(response.status).toBe(200)
    expect(response.headers.get('Location')).toBeNull()
    expect(response.headers.get('Cache-Control')).toBe('no-store')
    expect(response.data).toMatchObject({ state: 'done', scope: 'campaign' })
    expect(await unsubscribes()).toEqual([
      { organisation_id: campaign.organisation_id, email_index: await emailIndex('jo.bloggs@example.org'), campaign_id: campaign.id, source: 'one-click' },
    ])
    expect(await consentOf(signature.id)).toBe(false)
  })

  it('is idempotent: the same POST again answers 200 and records nothing more', async () => {
    const { signature, token } = await signer()
    const first = await oneClick(token)
    const second = await oneClick(token)
    expect([first.status, second.status]).toEqual([200, 200])
    expect(await unsubscribes()).toHaveLength(1)
    expect(await consentOf(signature.id)).toBe(false)
  })

  it('accepts the body as multipart/form-data too (RFC 8058 allows both)', async () => {
    const { signature, token } = await signer()
    const body = new FormData()
    body.set('List-Unsubscribe', 'One-Click')
    const response = await oneClick(token, body)
    expect(response.status).toBe(200)
    expect(await unsubscribes()).toMatchObject([{ source: 'one-click' }])
    expect(await consentOf(signature.id)).toBe(false)
  })

  it('refuses a forged or malformed token with 404 and changes nothing', async () => {
    const { signature, token } = await signer()
    for (const bad of [FORGED(signature.id), `${signature.id}`, 'nonsense', `${token}x`, token.replace(/^\d+/, String(Number(signature.id) + 1))]) {
      const response = await oneClick(bad)
      expect(response.status, bad).toBe(404)
      expect(response.data).toMatchObject({ state: 'invalid' })
    }
    expect(await unsubscribes()).toEqual([])
    expect(await consentOf(signature.id)).toBe(true)
  })

  it('answers 200 for a supporter who was removed (nothing is held, so nothing will be sent)', async () => {
    const { campaign, signature, token } = await signer()
    const owner = await createAdmin(db(), { organisationId: campaign.organisation_id })
    await removeSignature(owner.context, campaign.id, signature.id)
    const response = await oneClick(token)
    expect(response.status).toBe(200)
    expect(response.data).toMatchObject({ state: 'gone' })
    expect(await unsubscribes()).toEqual([])
    const shown = await page(token)
    expect(shown.status).toBe(200)
    expect(shown.data).toMatchObject({ state: 'gone', target: null })
  })
})

describe('the unsubscribe page', () => {
  it('shows the campaign and the organisation, in the language the link asks for', async () => {
    const { campaign, token } = await signer({ locale: 'ru' })
    const organisation = await db().selectFrom('organisations').select('name').where('id', '=', campaign.organisation_id).executeTakeFirstOrThrow()
    const en = await page(token, 'en')
    expect(en.status).toBe(200)
    expect(en.headers.get('Cache-Control')).toBe('no-store')
    expect(en.data).toMatchObject({
      state: 'choose',
      pageTitle: 'Stop emails',
      target: {
        campaign: { slug: campaign.slug, title: campaign.title, isPublic: true },
        organisationName: organisation.name,
        unsubscribed: { campaign: false, organisation: false },
      },
    })
    const ru = await page(token, 'ru')
    expect(ru.data).toMatchObject({ pageTitle: 'Отписаться от писем', target: { campaign: { title: 'Освободите защитников', contentLocale: 'ru' } } })
    // Viewing the page changes nothing.
    expect(await unsubscribes()).toEqual([])
  })

  it('answers a forged token with a translated 404 page', async () => {
    const { signature } = await signer()
    const response = await page(FORGED(signature.id), 'ru')
    expect(response.status).toBe(404)
    expect(response.data).toMatchObject({ state: 'invalid', pageTitle: 'Эта ссылка для отписки не работает', target: null })
  })

  it('“this campaign” records a page unsubscribe for the campaign and stops only this signature’s updates', async () => {
    const { campaign, signature, token } = await signer()
    const sameOrganisation = await signer({ organisationId: campaign.organisation_id })
    const response = await choose(token, 'campaign')
    expect(response.status).toBe(200)
    expect(response.data).toMatchObject({ state: 'done', scope: 'campaign', pageTitle: 'You are unsubscribed' })
    expect(await unsubscribes()).toEqual([
      { organisation_id: campaign.organisation_id, email_index: await emailIndex('jo.bloggs@example.org'), campaign_id: campaign.id, source: 'page' },
    ])
    expect(await consentOf(signature.id)).toBe(false)
    expect(await consentOf(sameOrganisation.signature.id)).toBe(true)
    expect((await page(token)).data).toMatchObject({ target: { unsubscribed: { campaign: true, organisation: false } } })
  })

  it('“everything from the organisation” records an organisation-wide unsubscribe and stops all its signatures with that address, not other organisations’', async () => {
    const { campaign, signature, token } = await signer({ email: 'Jo.Bloggs@example.org' })
    const sibling = await signer({ organisationId: campaign.organisation_id, email: 'jo.bloggs@EXAMPLE.org' })
    const someoneElse = await signer({ organisationId: campaign.organisation_id, email: 'someone.else@example.org' })
    const elsewhere = await signer({ organisationId: (await createOrganisation(db())).id, email: 'jo.bloggs@example.org' })
    const response = await choose(token, 'organisation', 'ru')
    expect(response.status).toBe(200)
    expect(response.data).toMatchObject({ state: 'done', scope: 'organisation', pageTitle: 'Вы отписались' })
    expect(await unsubscribes()).toEqual([
      { organisation_id: campaign.organisation_id, email_index: await emailIndex('jo.bloggs@example.org'), campaign_id: null, source: 'page' },
    ])
    expect(await consentOf(signature.id)).toBe(false)
    expect(await consentOf(sibling.signature.id)).toBe(false)
    expect(await consentOf(someoneElse.signature.id)).toBe(true)
    expect(await consentOf(elsewhere.signature.id)).toBe(true)
    expect((await page(sibling.token)).data).toMatchObject({ target: { unsubscribed: { campaign: true, organisation: true } } })
    // Asking again is harmless.
    expect((await choose(token, 'organisation')).status).toBe(200)
    expect(await unsubscribes()).toHaveLength(1)
  })

  it('refuses a missing or unknown choice with 400 and changes nothing', async () => {
    const { signature, token } = await signer()
    for (const scope of ['', 'everything', 'List-Unsubscribe']) {
      const response = await choose(token, scope)
      expect(response.status, scope).toBe(400)
      expect(response.data.result.error.scope).toEqual(['unsubscribe.error.scope'])
    }
    expect(await unsubscribes()).toEqual([])
    expect(await consentOf(signature.id)).toBe(true)
  })
})

describe('the suppression list (/admin/suppressions)', () => {
  const list = (admin: Awaited<ReturnType<typeof createAdmin>>, query = '') =>
    callRoute(suppressionsLoader, { url: `/admin/suppressions${query}`, headers: admin.headers })
  const post = (admin: Awaited<ReturnType<typeof createAdmin>>, values: Record<string, string>) =>
    callRoute(suppressionsAction, { url: '/admin/suppressions', method: 'POST', body: adminForm(admin, values), headers: admin.headers })
  const rows = (organisationId: string) =>
    db().selectFrom('email_suppressions').select(['email_index', 'reason']).where('organisation_id', '=', organisationId).orderBy('email_index').execute()
  const audit = () => db().selectFrom('audit_events').select(['action', 'subject_type', 'subject_id', 'changes']).orderBy('id').execute()

  it('lists the organisation’s suppressed addresses with reason and date, and counts organisation-wide unsubscribes', async () => {
    const owner = await createAdmin(db())
    const stranger = await createAdmin(db())
    const organisationId = owner.organisation.id
    await db()
      .insertInto('email_suppressions')
      .values([
        await suppression(organisationId, 'bounced@example.org', 'bounce'),
        await suppression(organisationId, 'angry@example.org', 'complaint'),
        await suppression(stranger.organisation.id, 'theirs@example.org', 'bounce'),
      ])
      .execute()
    await db()
      .insertInto('email_unsubscribes')
      .values([
        { organisation_id: organisationId, email_index: await emailIndex('a@example.org'), campaign_id: null, source: 'page' },
        { organisation_id: organisationId, email_index: await emailIndex('b@example.org'), campaign_id: null, source: 'one-click' },
        { organisation_id: stranger.organisation.id, email_index: await emailIndex('c@example.org'), campaign_id: null, source: 'page' },
      ])
      .execute()
    const response = await list(owner)
    expect(response.status).toBe(200)
    expect(response.data).toMatchObject({ total: 2, organisationUnsubscribes: 2, page: 1, pageCount: 1 })
    expect(response.data.items.map((i: { email: string; reason: string }) => [i.email, i.reason]).sort()).toEqual([
      ['angry@example.org', 'complaint'],
      ['bounced@example.org', 'bounce'],
    ])
    expect(response.data.items[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    const searched = await list(owner, '?q=ANGRY@example.org')
    expect(searched.data.items.map((i: { email: string }) => i.email)).toEqual(['angry@example.org'])
    // The underscore is a character, not a wildcard.
    expect((await list(owner, '?q=_')).data.items).toEqual([])
  })

  it('lets a campaigner add an address by hand (canonicalised), audited without the address', async () => {
    const owner = await createAdmin(db())
    const campaigner = await createAdmin(db(), { role: 'campaigner', organisationId: owner.organisation.id })
    const response = await post(campaigner, { intent: 'add', email: ' Jo.Bloggs+petitions@Example.org ' })
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/admin/suppressions?done=added')
    expect(await rows(owner.organisation.id)).toEqual([{ email_index: await emailIndex('jo.bloggs@example.org'), reason: 'manual' }])
    const events = await audit()
    expect(events).toEqual([{ action: 'suppression.added', subject_type: 'suppression', subject_id: null, changes: { reason: 'manual' } }])
    expect(JSON.stringify(events)).not.toContain('bloggs')

    const again = await post(campaigner, { intent: 'add', email: 'jo.bloggs@example.org' })
    expect(again.status).toBe(409)
    expect(again.data.result.error['']).toEqual(['admin.suppressions.error.exists'])
    expect(await audit()).toHaveLength(1)
  })

  it('refuses a malformed address with 400', async () => {
    const owner = await createAdmin(db())
    const response = await post(owner, { intent: 'add', email: 'not an address' })
    expect(response.status).toBe(400)
    expect(response.data.result.error.email).toEqual(['admin.suppressions.error.email'])
    expect(await rows(owner.organisation.id)).toEqual([])
  })

  it('removes a manual suppression but keeps bounces and complaints', async () => {
    const owner = await createAdmin(db())
    const organisationId = owner.organisation.id
    await db()
      .insertInto('email_suppressions')
      .values([await suppression(organisationId, 'by.hand@example.org', 'manual'), await suppression(organisationId, 'bounced@example.org', 'bounce')])
      .execute()
    const kept = await post(owner, { intent: 'remove', email: 'bounced@example.org' })
    expect(kept.status).toBe(409)
    expect(kept.data.result.error['']).toEqual(['admin.suppressions.error.notManual'])
    const missing = await post(owner, { intent: 'remove', email: 'never@example.org' })
    expect(missing.status).toBe(404)
    const removed = await post(owner, { intent: 'remove', email: 'by.hand@example.org' })
    expect(removed.status).toBe(302)
    expect(await rows(organisationId)).toEqual([{ email_index: await emailIndex('bounced@example.org'), reason: 'bounce' }])
    expect(await audit()).toEqual([{ action: 'suppression.removed', subject_type: 'suppression', subject_id: null, changes: { reason: 'manual' } }])
  })

  it('is closed to viewers (it shows supporters’ addresses) and reaches only the member’s own organisation', async () => {
    const owner = await createAdmin(db())
    const viewer = await createAdmin(db(), { role: 'viewer', organisationId: owner.organisation.id })
    const stranger = await createAdmin(db())
    await db()
      .insertInto('email_suppressions')
      .values(await suppression(owner.organisation.id, 'by.hand@example.org', 'manual'))
      .execute()
    expect((await list(viewer)).status).toBe(403)
    expect((await post(viewer, { intent: 'add', email: 'x@example.org' })).status).toBe(403)
    expect((await post(viewer, { intent: 'remove', email: 'by.hand@example.org' })).status).toBe(403)
    // Another organisation's owner removes from their own (empty) list, never from ours.
    expect((await post(stranger, { intent: 'remove', email: 'by.hand@example.org' })).status).toBe(404)
    expect((await list(stranger)).data.items).toEqual([])
    expect(await rows(owner.organisation.id)).toHaveLength(1)
  })
})

describe('the web server', () => {
  it('lets a mail provider’s one-click POST through (no Origin), and never logs an unsubscribe token', async () => {
    const { isCrossSitePost, redactPath } = await import('../../server/app')
    expect(isCrossSitePost('POST', undefined, ['https://petitions.example.org'])).toBe(false)
    expect(redactPath('/unsubscribe/123.abcDEF_-')).toBe('/unsubscribe/:token')
  })
})
