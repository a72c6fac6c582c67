import { describe, expect, it } from 'vitest'
import { createAdmin, type TestAdmin } from '../support/admin'
import { createCampaign, createSignature } from '../support/factories'
import { callRoute } from '../support/routes'
import { loader as listLoader } from '~/routes/admin._index'
import { action as newAction, loader as newLoader } from '~/routes/admin.campaigns.new'
import { action as editAction, loader as editLoader } from '~/routes/admin.campaigns.$campaignId.edit'
import { loader as previewLoader } from '~/routes/admin.campaigns.$campaignId.preview'
import { loader as mediaLoader } from '~/routes/media.$imageId.$hash'
import { getDb } from '~/utils/db.server'

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')

const complete = {
  title: 'Free the river defenders',
  slug: 'free-the-river-defenders',
  summary: 'Five people are jailed for protecting a river.',
  story: 'They **must** be freed.',
  targetName: 'The Minister of Justice',
  targetRole: 'Ministry of Justice',
  demand: 'Release all five today.',
  signatureGoal: '5000',
}

/** The editor's multipart body, as the browser sends it. */
function editorForm(admin: TestAdmin, values: Record<string, string | Blob>, intent = 'save') {
  const body = new FormData()
  body.set('csrf', admin.csrfToken)
  body.set('intent', intent)
  for (const [key, value] of Object.entries(values)) body.set(key, value)
  return body
}

async function newDraft(admin: TestAdmin, title = 'Free the river defenders') {
  const created = await callRoute(newAction, {
    url: '/admin/campaigns/new',
    method: 'POST',
    headers: admin.headers,
    body: new URLSearchParams({ csrf: admin.csrfToken, title, locale: 'en' }).toString(),
  })
  expect(created.status).toBe(302)
  const id = created.headers.get('Location')!.match(/^\/admin\/campaigns\/(\d+)\/edit\?locale=en$/)![1]!
  return id
}

function edit(admin: TestAdmin, id: string, values: Record<string, string | Blob>, { intent = 'save', locale = 'en' } = {}) {
  return callRoute(editAction, {
    url: `/admin/campaigns/${id}/edit?locale=${locale}`,
    method: 'POST',
    headers: admin.headers,
    params: { campaignId: id },
    body: editorForm(admin, values, intent),
  })
}

async function campaignRow(id: string) {
  return await getDb().selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

describe('/admin (campaign list)', () => {
  it('lists the organisation’s campaigns with their counts, for viewers too (without edit links)', async () => {
    const owner = await createAdmin(getDb(), { role: 'owner' })
    const viewer = await createAdmin(getDb(), { role: 'viewer', organisationId: owner.organisation.id })
    const live = await createCampaign(getDb(), { organisation_id: owner.organisation.id, signature_count: 2 })
    await createSignature(getDb(), { campaign_id: live.id, state: 'pending' })
    await createSignature(getDb(), { campaign_id: live.id, state: 'confirmed' })
    await createCampaign(getDb())

    const asViewer = await callRoute(listLoader, { url: '/admin', headers: viewer.headers })
    expect(asViewer.status).toBe(200)
    expect(asViewer.data.canEdit).toBe(false)
    expect(asViewer.data.campaigns).toEqual([expect.objectContaining({ id: live.id, status: 'live', confirmed: 2, pending: 1, today: 1 })])
    const asOwner = await callRoute(listLoader, { url: '/admin', headers: owner.headers })
    expect(asOwner.data.canEdit).toBe(true)
  })
})

describe('/admin/campaigns/new', () => {
  it('creates a draft and goes to its editor; an empty title is a 400 that writes nothing', async () => {
    const owner = await createAdmin(getDb(), { role: 'campaigner' })
    expect((await callRoute(newLoader, { url: '/admin/campaigns/new', headers: owner.headers })).status).toBe(200)
    const refused = await callRoute(newAction, {
      url: '/admin/campaigns/new',
      method: 'POST',
      headers: owner.headers,
      body: new URLSearchParams({ csrf: owner.csrfToken, title: '  ', locale: 'en' }).toString(),
    })
    expect(refused.status).toBe(400)
    expect(refused.data.result.error).toEqual({ title: ['admin.new.error.title'] })
    expect(await getDb().selectFrom('campaigns').select('id').execute()).toEqual([])

    const id = await newDraft(owner)
    expect(await campaignRow(id)).toMatchObject({ status: 'draft', slug: 'free-the-river-defenders', organisation_id: owner.organisation.id })
  })
})

describe('/admin/campaigns/:id/edit', () => {
  it('saves every field of a locale, then lists what Russian still lacks', async () => {
    const owner = await createAdmin(getDb(), { role: 'campaigner' })
    const id = await newDraft(owner)
    const saved = await edit(owner, id, {
      version: '1',
      ...complete,
      closesAt: '2099-03-31T18:00',
      showRecentSigners: 'on',
      donationCurrency: 'JPY',
      donationPresets: '500, 1000, 3000',
      showDonationTotals: 'on',
      consentUpdatesText: 'Email me about the river',
      'milestones[0].threshold': '1000',
      'milestones[0].description': 'We deliver the petition.',
      'milestones[1].threshold': '',
      'milestones[1].description': '',
    })
    expect(saved.status).toBe(302)
    expect(saved.headers.get('Location')).toBe(`/admin/campaigns/${id}/edit?locale=en&done=saved`)
    expect(await campaignRow(id)).toMatchObject({
      title: complete.title,
      summary: complete.summary,
      signature_goal: 5000,
      closes_at: new Date('2099-03-31T18:00:00Z'),
      show_recent_signers: true,
      donation_currency: 'JPY',
      donation_presets: [500, 1000, 3000],
      show_donation_totals: true,
      consent_updates_text: 'Email me about the river',
      version: 2,
    })

    const page = await callRoute(editLoader, { url: `/admin/campaigns/${id}/edit?locale=ru`, headers: owner.headers, params: { campaignId: id } })
    expect(page.status).toBe(200)
    expect(page.data.editLocale).toBe('ru')
    expect(page.data.defaultValue.title).toBe('')
    expect(page.data.defaultValue.donationPresets).toBe('500, 1000, 3000')
    expect(page.data.missingForPublishing).toEqual([])
    expect(page.data.translations).toEqual([
      {
        locale: 'ru',
        missing: ['Title', 'Summary', 'Story', 'Who you call on (name)', 'Their role', 'The demand', 'Wording for “keep me updated”', 'Milestones'],
      },
    ])

    const russian = await edit(
      owner,
      id,
      {
        version: '2',
        ...complete,
        title: 'Свободу защитникам реки',
        'milestones[0].threshold': '1000',
        'milestones[0].description': 'Мы передаём петицию.',
      },
      { locale: 'ru' },
    )
    expect(russian.status).toBe(302)
    const translation = await getDb().selectFrom('campaign_translations').selectAll().where('campaign_id', '=', id).executeTakeFirstOrThrow()
    expect(translation).toMatchObject({ locale: 'ru', title: 'Свободу защитникам реки' })
    // The English texts are untouched by the Russian save.
    expect((await campaignRow(id)).title).toBe(complete.title)
  })

  it('answers bad input with a 400, its messages and the values kept, and writes nothing', async () => {
    const owner = await createAdmin(getDb(), { role: 'campaigner' })
    const id = await newDraft(owner)
    const before = await campaignRow(id)
    const refused = await edit(owner, id, {
      version: '1',
      ...complete,
      slug: 'Not A Slug!',
      signatureGoal: 'lots',
      closesAt: 'tomorrow',
      donationCurrency: 'XXX',
      donationPresets: 'five',
      title: 'x'.repeat(201),
      'milestones[0].description': 'A milestone without a number',
    })
    expect(refused.status).toBe(400)
    expect(refused.data.result.error).toEqual({
      slug: ['admin.edit.error.slugFormat'],
      signatureGoal: ['admin.edit.error.goalNumber'],
      closesAt: ['admin.edit.error.closesAt'],
      donationCurrency: ['admin.edit.error.currency'],
      title: ['admin.edit.error.tooLong:200'],
      'milestones[0].threshold': ['admin.edit.error.milestoneThreshold'],
    })
    expect(refused.data.result.initialValue).toMatchObject({ slug: 'Not A Slug!', summary: complete.summary })
    expect(await campaignRow(id)).toEqual(before)

    // Rules across fields: presets in the chosen currency, milestone numbers told apart, an image described.
    const crossField = await edit(owner, id, {
      version: '1',
      ...complete,
      donationCurrency: 'JPY',
      donationPresets: '5.50, 10',
      'milestones[0].threshold': '100',
      'milestones[0].description': 'One',
      'milestones[1].threshold': '100',
      'milestones[1].description': 'Two',
    })
    expect(crossField.status).toBe(400)
    expect(crossField.data.result.error).toEqual({
      donationPresets: ['admin.edit.error.presets'],
      'milestones[1].threshold': ['admin.edit.error.milestoneDuplicate'],
    })
    expect(await campaignRow(id)).toEqual(before)
  })

  it('refuses the second of two saves from the same version, shows what changed and keeps the second person’s values', async () => {
    const first = await createAdmin(getDb(), { role: 'campaigner', name: 'Sam Colleague' })
    const second = await createAdmin(getDb(), { role: 'owner', organisationId: first.organisation.id })
    const id = await newDraft(first)
    expect((await edit(first, id, { version: '1', ...complete, title: 'Sam’s title' })).status).toBe(302)

    const stale = await edit(second, id, { version: '1', ...complete, title: 'My title', demand: 'My demand' })
    expect(stale.status).toBe(409)
    expect(stale.data.conflict.by).toBe(`Sam Colleague (${first.user.email})`)
    expect(stale.data.conflict.changes).toEqual(
      expect.arrayContaining([
        { key: 'title.en', label: 'Title (English)', now: 'Sam’s title' },
        { key: 'demand.en', label: 'The demand (English)', now: complete.demand },
      ]),
    )
    expect(stale.data.result.initialValue).toMatchObject({ title: 'My title', demand: 'My demand' })
    expect((await campaignRow(id)).title).toBe('Sam’s title')

    // The editor now carries version 2: saving again is a deliberate overwrite.
    const page = await callRoute(editLoader, { url: `/admin/campaigns/${id}/edit`, headers: second.headers, params: { campaignId: id } })
    expect(page.data.campaign.version).toBe(2)
    expect((await edit(second, id, { version: '2', ...complete, title: 'My title' })).status).toBe(302)
    expect((await campaignRow(id)).title).toBe('My title')
  })

  it('turns milestone emails on and off, versioned like every setting (decision 0012)', async () => {
    const first = await createAdmin(getDb(), { role: 'campaigner' })
    const second = await createAdmin(getDb(), { role: 'owner', organisationId: first.organisation.id })
    const id = await newDraft(first)
    expect((await campaignRow(id)).milestone_updates).toBe(false)
    expect((await edit(first, id, { version: '1', ...complete, milestoneUpdates: 'on' })).status).toBe(302)
    expect(await campaignRow(id)).toMatchObject({ milestone_updates: true, version: 2 })
    const page = await callRoute(editLoader, { url: `/admin/campaigns/${id}/edit`, headers: first.headers, params: { campaignId: id } })
    expect(page.data.defaultValue.milestoneUpdates).toBe('on')

    const stale = await edit(second, id, { version: '1', ...complete })
    expect(stale.status).toBe(409)
    expect(stale.data.conflict.changes).toEqual(
      expect.arrayContaining([expect.objectContaining({ label: 'Email signers who opted in when a milestone is reached' })]),
    )
    expect((await campaignRow(id)).milestone_updates).toBe(true)
    // Unticked (the box absent from the form) turns it off.
    expect((await edit(first, id, { version: '2', ...complete })).status).toBe(302)
    expect(await campaignRow(id)).toMatchObject({ milestone_updates: false, version: 3 })
  })

  it('previews the story as sanitised HTML without saving', async () => {
    const owner = await createAdmin(getDb(), { role: 'campaigner' })
    const id = await newDraft(owner)
    const preview = await edit(
      owner,
      id,
      { version: '1', ...complete, story: 'We **insist**.\n\n<script>alert(1)</script><img src=x onerror=alert(2)> [link](javascript:alert(3))' },
      { intent: 'preview-story' },
    )
    expect(preview.status).toBe(200)
    expect(preview.data.storyPreview).toContain('<strong>insist</strong>')
    expect(preview.data.storyPreview).not.toMatch(/<script|onerror|href="javascript:|<img/)
    expect(preview.data.result.initialValue.story).toContain('We **insist**.')
    expect(await campaignRow(id)).toMatchObject({ story: '', version: 1 })
  })

  it('takes a hero image with alt text, refusing big, wrong or undescribed ones, and serves it for a year', async () => {
    const owner = await createAdmin(getDb(), { role: 'campaigner' })
    const id = await newDraft(owner)
    const png = (bytes: Uint8Array, name = 'hero.png') => new File([new Uint8Array(bytes)], name, { type: 'image/png' })

    const big = new Uint8Array(2 * 1024 * 1024 + 1)
    big.set(PNG_1x1)
    const tooBig = await edit(owner, id, { version: '1', ...complete, heroImage: png(big), heroImageAlt: 'A river' })
    expect(tooBig.status).toBe(400)
    expect(tooBig.data.result.error).toEqual({ heroImage: ['admin.image.error.tooLarge'] })

    const gif = await edit(owner, id, {
      version: '1',
      ...complete,
      heroImage: png(new TextEncoder().encode('GIF89a\x01\x00\x01\x00')),
      heroImageAlt: 'A river',
    })
    expect(gif.status).toBe(400)
    expect(gif.data.result.error).toEqual({ heroImage: ['admin.image.error.type'] })

    const noAlt = await edit(owner, id, { version: '1', ...complete, heroImage: png(new Uint8Array(PNG_1x1)) })
    expect(noAlt.status).toBe(400)
    expect(noAlt.data.result.error).toEqual({ heroImageAlt: ['admin.edit.error.imageAlt'] })
    expect(await getDb().selectFrom('campaign_images').select('id').execute()).toEqual([])

    const ok = await edit(owner, id, { version: '1', ...complete, heroImage: png(new Uint8Array(PNG_1x1)), heroImageAlt: 'A river at dawn' })
    expect(ok.status).toBe(302)
    const image = await getDb().selectFrom('campaign_images').selectAll().executeTakeFirstOrThrow()
    // Stored as re-encoded (no metadata survives an upload), so its size is its own, not the upload's.
    expect(image).toMatchObject({ campaign_id: id, content_type: 'image/png', width: 1, height: 1, byte_size: image.bytes.length })

    // Saving again without a file keeps the image; the main language must keep describing it.
    const keptWithoutAlt = await edit(owner, id, { version: '2', ...complete, heroImageAlt: '' })
    expect(keptWithoutAlt.data.result.error).toEqual({ heroImageAlt: ['admin.edit.error.imageAlt'] })

    const served = await callRoute(mediaLoader, { url: `/media/${image.id}/${image.sha256}`, params: { imageId: image.id, hash: image.sha256 } })
    expect(served.status).toBe(200)
    expect(served.headers.get('Content-Type')).toBe('image/png')
    expect(served.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable')
    const wrongHash = await callRoute(mediaLoader, { url: `/media/${image.id}/${'0'.repeat(64)}`, params: { imageId: image.id, hash: '0'.repeat(64) } })
    expect(wrongHash.status).toBe(404)

    const page = await callRoute(editLoader, { url: `/admin/campaigns/${id}/edit`, headers: owner.headers, params: { campaignId: id } })
    expect(page.data.campaign.heroImage).toEqual({ url: `/media/${image.id}/${image.sha256}`, width: 1, height: 1 })

    const removed = await edit(owner, id, { version: '2', ...complete, removeImage: 'on' })
    expect(removed.status).toBe(302)
    expect(await getDb().selectFrom('campaign_images').select('id').execute()).toEqual([])
  })

  it('refuses a slug another campaign has or had', async () => {
    const owner = await createAdmin(getDb(), { role: 'campaigner' })
    await createCampaign(getDb(), { slug: 'taken-elsewhere' })
    const id = await newDraft(owner)
    const refused = await edit(owner, id, { version: '1', ...complete, slug: 'taken-elsewhere' })
    expect(refused.status).toBe(400)
    expect(refused.data.result.error).toEqual({ slug: ['admin.edit.error.slugTaken'] })
    expect((await campaignRow(id)).slug).toBe('free-the-river-defenders')
  })

  it('publishes only a complete campaign, saying what is missing, and closes it', async () => {
    const owner = await createAdmin(getDb(), { role: 'campaigner' })
    const id = await newDraft(owner)
    const publish = () =>
      callRoute(editAction, {
        url: `/admin/campaigns/${id}/edit?locale=en`,
        method: 'POST',
        headers: owner.headers,
        params: { campaignId: id },
        body: new URLSearchParams({ csrf: owner.csrfToken, intent: 'publish' }).toString(),
      })
    const refused = await publish()
    expect(refused.status).toBe(400)
    expect(refused.data.publishMissing).toEqual(['a summary', 'the story', 'who you call on', 'the demand'])
    expect((await campaignRow(id)).status).toBe('draft')

    await edit(owner, id, { version: '1', ...complete })
    const published = await publish()
    expect(published.status).toBe(302)
    expect(published.headers.get('Location')).toBe(`/admin/campaigns/${id}/edit?locale=en&done=published`)
    expect((await campaignRow(id)).status).toBe('live')

    const closed = await callRoute(editAction, {
      url: `/admin/campaigns/${id}/edit?locale=en`,
      method: 'POST',
      headers: owner.headers,
      params: { campaignId: id },
      body: new URLSearchParams({ csrf: owner.csrfToken, intent: 'close' }).toString(),
    })
    expect(closed.status).toBe(302)
    expect((await campaignRow(id)).status).toBe('closed')
  })
})

describe('/admin/campaigns/:id/preview', () => {
  it('shows a draft as the public page would, to viewers too', async () => {
    const owner = await createAdmin(getDb(), { role: 'campaigner' })
    const viewer = await createAdmin(getDb(), { role: 'viewer', organisationId: owner.organisation.id })
    const id = await newDraft(owner)
    await edit(owner, id, { version: '1', ...complete, story: 'We **insist**. <script>x()</script>' })
    const preview = await callRoute(previewLoader, { url: `/admin/campaigns/${id}/preview`, headers: viewer.headers, params: { campaignId: id } })
    expect(preview.status).toBe(200)
    expect(preview.data).toMatchObject({
      status: 'draft',
      canEdit: false,
      view: { campaign: { title: complete.title, demand: complete.demand } },
    })
    expect(preview.data.view.campaign.storyHtml.trim()).toBe('<p>We <strong>insist</strong>. </p>')
  })
})
