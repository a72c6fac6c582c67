import { describe, expect, it } from 'vitest'
import { createDraft, updateCampaignContent, type CampaignEditValues } from '~/models/admin-campaign.server'
import { missingTranslations } from '~/models/campaign-changes.server'
import { formatPresetList, parsePresetList, slugify } from '~/models/campaign-fields'
import { closeCampaign, closeDueCampaigns, publishCampaign } from '~/models/campaign-publishing.server'
import { listAdminCampaigns, type EditableCampaign } from '~/models/editable-campaign.server'
import { requireAdminCampaign } from '~/http/campaign.server'
import { checkUploadedImage, detectImage, MAX_IMAGE_BYTES } from '~/models/campaign-image.server'
import { findSlugRedirect, getPublicCampaign, getPublicCampaignById, getPublicMilestones } from '~/models/campaign.server'
import type { AdminContext } from '~/utils/permissions'
import { getDb } from '~/utils/db.server'
import { createAdmin, type TestAdmin } from '../../tests/support/admin'
import { createCampaign, createSignature } from '../../tests/support/factories'

function contextOf(admin: TestAdmin): AdminContext {
  return {
    user: { id: admin.user.id, email: admin.user.email, name: admin.user.name },
    organisation: { id: admin.organisation.id, slug: admin.organisation.slug, name: admin.organisation.name },
    role: admin.membership.role,
    sessionId: admin.session.id,
    csrfToken: admin.csrfToken,
  }
}

/** What the editor would send for a campaign as it stands, with some fields changed. */
function valuesFrom(
  campaign: EditableCampaign,
  locale: 'en' | 'ru',
  changes: { content?: Partial<CampaignEditValues['content']>; settings?: Partial<CampaignEditValues['settings']> } & Partial<
    Pick<CampaignEditValues, 'milestones' | 'image'>
  > = {},
): CampaignEditValues {
  const content = campaign.content[locale] ?? {
    title: '',
    summary: '',
    story: '',
    target_name: '',
    target_role: '',
    demand: '',
    hero_image_alt: '',
    consent_updates_text: '',
    consent_show_name_text: '',
  }
  return {
    content: { ...content, ...changes.content },
    settings: {
      ...campaign.settings,
      closes_at: campaign.settings.closes_at ? new Date(campaign.settings.closes_at) : null,
      ...changes.settings,
    },
    milestones: changes.milestones ?? campaign.milestones.map((m) => ({ threshold: m.threshold, description: m.descriptions[locale] ?? '' })),
    image: changes.image,
  }
}

const completeEnglish = {
  title: 'Free the river defenders',
  summary: 'Five people are jailed for protecting a river.',
  story: 'They **must** be freed.',
  target_name: 'The Minister of Justice',
  target_role: 'Ministry of Justice',
  demand: 'Release all five today.',
}

async function setUp(role: 'owner' | 'campaigner' | 'viewer' = 'campaigner') {
  const testAdmin = await createAdmin(getDb(), { role })
  const admin = contextOf(testAdmin)
  const draft = await createDraft(admin, { title: 'Free the river defenders', locale: 'en' })
  return { admin, testAdmin, draft }
}

async function auditOf(subjectId: string) {
  return await getDb().selectFrom('audit_events').selectAll().where('subject_type', '=', 'campaign').where('subject_id', '=', subjectId).orderBy('id').execute()
}

describe('createDraft', () => {
  it('makes a draft with a slug from the title, unique even when the title repeats, and audits it', async () => {
    const { admin, draft } = await setUp()
    const second = await createDraft(admin, { title: 'Free the river defenders', locale: 'en' })
    const russian = await createDraft(admin, { title: 'Свободу защитникам реки!', locale: 'ru' })
    expect(draft.slug).toBe('free-the-river-defenders')
    expect(second.slug).toBe('free-the-river-defenders-2')
    expect(russian.slug).toBe('svobodu-zashchitnikam-reki')
    const campaign = await requireAdminCampaign(admin, draft.id)
    expect(campaign).toMatchObject({ status: 'draft', baseLocale: 'en', version: 1 })
    const [created] = await auditOf(draft.id)
    expect(created).toMatchObject({ action: 'campaign.created', actor_user_id: admin.user.id, organisation_id: admin.organisation.id })
  })

  it('slugify transliterates and trims', () => {
    expect(slugify('  Hello, World!  ')).toBe('hello-world')
    expect(slugify('Ёлка & Щука')).toBe('elka-shchuka')
    expect(slugify('!!!')).toBe('campaign')
  })
})

describe('requireAdminCampaign', () => {
  it('is a 404 for another organisation’s campaign and for ids that are not numbers', async () => {
    const { draft } = await setUp()
    const other = contextOf(await createAdmin(getDb(), { role: 'owner' }))
    for (const id of [draft.id, 'abc', '999999']) {
      const thrown = await requireAdminCampaign(other, id).catch((e: unknown) => e)
      expect(thrown).toBeInstanceOf(Response)
      expect((thrown as Response).status).toBe(404)
    }
  })
})

describe('publishing', () => {
  it('refuses an incomplete draft, listing what is missing, and publishes once complete', async () => {
    const { admin, draft } = await setUp()
    const refused = await publishCampaign(admin, draft.id)
    expect(refused).toEqual({
      status: 'incomplete',
      missing: ['admin.missing.summary', 'admin.missing.story', 'admin.missing.targetName', 'admin.missing.demand'],
    })
    expect((await requireAdminCampaign(admin, draft.id)).status).toBe('draft')

    const campaign = await requireAdminCampaign(admin, draft.id)
    const saved = await updateCampaignContent(admin, draft.id, 'en', valuesFrom(campaign, 'en', { content: completeEnglish }), 1)
    expect(saved.status).toBe('saved')
    expect(await publishCampaign(admin, draft.id)).toEqual({ status: 'published' })
    expect((await requireAdminCampaign(admin, draft.id)).status).toBe('live')
    expect(await getPublicCampaign(draft.slug, 'en')).toMatchObject({ status: 'live', content: { title: completeEnglish.title } })
    expect((await auditOf(draft.id)).map((e) => e.action)).toEqual(['campaign.created', 'campaign.updated', 'campaign.published'])
  })

  it('refuses a closing date in the past, an image without a description and milestones without text', async () => {
    const { admin, draft } = await setUp()
    const campaign = await requireAdminCampaign(admin, draft.id)
    const image = await checkUploadedImage(new File([new Uint8Array(tinyPng())], 'a.png', { type: 'image/png' }))
    if (!('image' in image)) throw new Error('png refused')
    await updateCampaignContent(
      admin,
      draft.id,
      'en',
      valuesFrom(campaign, 'en', {
        content: completeEnglish,
        settings: { closes_at: new Date(Date.now() - 60_000) },
        milestones: [{ threshold: 500, description: '' }],
        image: image.image,
      }),
      1,
    )
    expect(await publishCampaign(admin, draft.id)).toEqual({
      status: 'incomplete',
      missing: ['admin.missing.closesInPast', 'admin.missing.imageAlt', 'admin.missing.milestoneText'],
    })
  })

  it('closes a live campaign by hand, and not a draft', async () => {
    const { admin, draft } = await setUp()
    expect(await closeCampaign(admin, draft.id)).toEqual({ status: 'not-live' })
    const live = await createCampaign(getDb(), { organisation_id: admin.organisation.id })
    expect(await closeCampaign(admin, live.id)).toEqual({ status: 'closed' })
    const after = await requireAdminCampaign(admin, live.id)
    expect(after.status).toBe('closed')
    expect(after.closedAt).toBeInstanceOf(Date)
    expect((await auditOf(live.id)).map((e) => e.action)).toEqual(['campaign.closed'])
  })
})

describe('optimistic concurrency', () => {
  it('refuses the second of two saves from the same version and says what changed and who changed it', async () => {
    const { admin, draft } = await setUp()
    const colleague = contextOf(await createAdmin(getDb(), { role: 'campaigner', organisationId: admin.organisation.id, name: 'Sam' }))
    const loaded = await requireAdminCampaign(admin, draft.id)

    const first = await updateCampaignContent(
      colleague,
      draft.id,
      'en',
      valuesFrom(loaded, 'en', { content: { title: 'Their title', summary: 'Their summary' }, settings: { signature_goal: 5000 } }),
      loaded.version,
    )
    expect(first).toMatchObject({ status: 'saved', version: 2 })

    const second = await updateCampaignContent(admin, draft.id, 'en', valuesFrom(loaded, 'en', { content: { title: 'My title' } }), loaded.version)
    expect(second.status).toBe('conflict')
    if (second.status !== 'conflict') return
    expect(second.version).toBe(2)
    expect(second.by).toEqual([{ email: colleague.user.email, name: 'Sam' }])
    expect(second.changes?.map((c) => [c.field, c.locale, c.after])).toEqual([
      ['signature_goal', null, 5000],
      ['title', 'en', 'Their title'],
      ['summary', 'en', 'Their summary'],
    ])

    // Nothing of the stale save was written.
    const now = await requireAdminCampaign(admin, draft.id)
    expect(now.content.en?.title).toBe('Their title')
    expect(now.version).toBe(2)
    expect((await auditOf(draft.id)).filter((e) => e.action === 'campaign.updated')).toHaveLength(1)

    // Saving again from the version shown with the conflict is a deliberate overwrite.
    const third = await updateCampaignContent(admin, draft.id, 'en', valuesFrom(now, 'en', { content: { title: 'My title' } }), second.version)
    expect(third).toMatchObject({ status: 'saved', version: 3 })
  })

  it('writes no new version when nothing changed', async () => {
    const { admin, draft } = await setUp()
    const loaded = await requireAdminCampaign(admin, draft.id)
    expect(await updateCampaignContent(admin, draft.id, 'en', valuesFrom(loaded, 'en'), 1)).toEqual({ status: 'unchanged', version: 1 })
    expect((await auditOf(draft.id)).map((e) => e.action)).toEqual(['campaign.created'])
  })

  it('records what changed in the audit log, with the version', async () => {
    const { admin, draft } = await setUp()
    const loaded = await requireAdminCampaign(admin, draft.id)
    await updateCampaignContent(admin, draft.id, 'en', valuesFrom(loaded, 'en', { content: { demand: 'Act now.' } }), 1)
    const updated = (await auditOf(draft.id)).find((e) => e.action === 'campaign.updated')!
    expect(updated.changes).toEqual({ version: { from: 1, to: 2 }, 'demand.en': { from: '', to: 'Act now.' } })
  })
})

describe('slugs', () => {
  it('keeps the old slug redirecting, refuses it to other campaigns, and lets the campaign take it back', async () => {
    const { admin, draft } = await setUp()
    let campaign = await requireAdminCampaign(admin, draft.id)
    await updateCampaignContent(admin, draft.id, 'en', valuesFrom(campaign, 'en', { content: completeEnglish }), campaign.version)
    await publishCampaign(admin, draft.id)
    campaign = await requireAdminCampaign(admin, draft.id)
    const renamed = await updateCampaignContent(admin, draft.id, 'en', valuesFrom(campaign, 'en', { settings: { slug: 'river-defenders' } }), campaign.version)
    expect(renamed.status).toBe('saved')
    expect(await findSlugRedirect('free-the-river-defenders')).toBe('river-defenders')
    expect(await getPublicCampaign('river-defenders', 'en')).not.toBeNull()

    // Another campaign, even in another organisation, cannot take the old slug or the new one.
    const otherAdmin = contextOf(await createAdmin(getDb()))
    const other = await createDraft(otherAdmin, { title: 'Other', locale: 'en' })
    const otherCampaign = await requireAdminCampaign(otherAdmin, other.id)
    for (const slug of ['free-the-river-defenders', 'river-defenders']) {
      const result = await updateCampaignContent(otherAdmin, other.id, 'en', valuesFrom(otherCampaign, 'en', { settings: { slug } }), 1)
      expect(result).toEqual({ status: 'slug-taken' })
    }
    // A new draft titled the same gets a fresh slug, not the redirecting one.
    expect((await createDraft(otherAdmin, { title: 'Free the river defenders', locale: 'en' })).slug).toBe('free-the-river-defenders-2')

    // The campaign itself may go back to its old slug; then the newer one redirects.
    campaign = await requireAdminCampaign(admin, draft.id)
    const back = await updateCampaignContent(
      admin,
      draft.id,
      'en',
      valuesFrom(campaign, 'en', { settings: { slug: 'free-the-river-defenders' } }),
      campaign.version,
    )
    expect(back.status).toBe('saved')
    expect(await findSlugRedirect('free-the-river-defenders')).toBeNull()
    expect(await findSlugRedirect('river-defenders')).toBe('free-the-river-defenders')
    const slugAudit = (await auditOf(draft.id)).filter((e) => e.action === 'campaign.updated').map((e) => e.changes.slug)
    expect(slugAudit).toContainEqual({ from: 'river-defenders', to: 'free-the-river-defenders' })
  })

  it('does not redirect to a draft', async () => {
    const { admin, draft } = await setUp()
    const campaign = await requireAdminCampaign(admin, draft.id)
    await updateCampaignContent(admin, draft.id, 'en', valuesFrom(campaign, 'en', { settings: { slug: 'secret-plan' } }), 1)
    expect(await findSlugRedirect('free-the-river-defenders')).toBeNull()
  })
})

describe('translations and milestones', () => {
  it('lists missing translations, and shows a translation publicly only once it is complete', async () => {
    const { admin, draft } = await setUp()
    let campaign = await requireAdminCampaign(admin, draft.id)
    await updateCampaignContent(
      admin,
      draft.id,
      'en',
      valuesFrom(campaign, 'en', {
        content: completeEnglish,
        milestones: [
          { threshold: 1000, description: 'We deliver the petition.' },
          { threshold: 100, description: 'We write to the minister.' },
        ],
      }),
      1,
    )
    await publishCampaign(admin, draft.id)
    campaign = await requireAdminCampaign(admin, draft.id)
    expect(campaign.milestones.map((m) => m.threshold)).toEqual([100, 1000])
    expect(missingTranslations(campaign).ru).toEqual([
      'admin.field.title',
      'admin.field.summary',
      'admin.field.story',
      'admin.field.targetName',
      'admin.field.targetRole',
      'admin.field.demand',
      'admin.field.milestones',
    ])

    await updateCampaignContent(admin, draft.id, 'ru', valuesFrom(campaign, 'ru', { content: { title: 'Свободу защитникам реки' } }), 2)
    // Half a translation: Russian readers still get the English page.
    expect(await getPublicCampaign(draft.slug, 'ru')).toMatchObject({ contentLocale: 'en', content: { title: completeEnglish.title } })

    campaign = await requireAdminCampaign(admin, draft.id)
    await updateCampaignContent(
      admin,
      draft.id,
      'ru',
      valuesFrom(campaign, 'ru', {
        content: {
          summary: 'Пятеро в тюрьме за защиту реки.',
          story: 'Их **нужно** освободить.',
          target_name: 'Министр юстиции',
          target_role: 'Министерство юстиции',
          demand: 'Освободить всех пятерых.',
        },
        // A translation cannot add milestones: only texts for the existing numbers count.
        milestones: [
          { threshold: 100, description: 'Мы пишем министру.' },
          { threshold: 1000, description: 'Мы передаём петицию.' },
          { threshold: 7, description: 'Лишний этап' },
        ],
      }),
      3,
    )
    campaign = await requireAdminCampaign(admin, draft.id)
    expect(missingTranslations(campaign).ru).toEqual([])
    expect(campaign.milestones).toEqual([
      { threshold: 100, descriptions: { en: 'We write to the minister.', ru: 'Мы пишем министру.' } },
      { threshold: 1000, descriptions: { en: 'We deliver the petition.', ru: 'Мы передаём петицию.' } },
    ])
    const russian = await getPublicCampaign(draft.slug, 'ru')
    expect(russian).toMatchObject({ contentLocale: 'ru', content: { title: 'Свободу защитникам реки' } })
    expect(await getPublicMilestones(russian!)).toEqual([
      { threshold: 100, description: 'Мы пишем министру.', reached: false },
      { threshold: 1000, description: 'Мы передаём петицию.', reached: false },
    ])

    // Dropping a milestone in the main language removes its translations too.
    await updateCampaignContent(
      admin,
      draft.id,
      'en',
      valuesFrom(campaign, 'en', { milestones: [{ threshold: 1000, description: 'We deliver the petition.' }] }),
      campaign.version,
    )
    expect((await requireAdminCampaign(admin, draft.id)).milestones).toEqual([
      { threshold: 1000, descriptions: { en: 'We deliver the petition.', ru: 'Мы передаём петицию.' } },
    ])
  })

  it('changes the consent version when the consent wording changes', async () => {
    const { admin, draft } = await setUp()
    const campaign = await requireAdminCampaign(admin, draft.id)
    await updateCampaignContent(admin, draft.id, 'en', valuesFrom(campaign, 'en', { content: { consent_updates_text: 'Email me about the river' } }), 1)
    const row = await getDb().selectFrom('campaigns').select('consent_version').where('id', '=', draft.id).executeTakeFirstOrThrow()
    expect(row.consent_version).toBe(`campaign-${draft.id}-v2`)
    // The sign form shows the campaign's wording; Russian readers get their standard wording ('').
    expect((await getPublicCampaignById(draft.id, 'en'))?.consentText).toEqual({ updates: 'Email me about the river', showName: '' })
  })
})

describe('closeDueCampaigns', () => {
  it('closes live campaigns past their closing date, audited as the system in their organisation', async () => {
    const { admin } = await setUp()
    const due = await createCampaign(getDb(), { organisation_id: admin.organisation.id, closes_at: new Date(Date.now() - 1000) })
    const later = await createCampaign(getDb(), { organisation_id: admin.organisation.id, closes_at: new Date(Date.now() + 86_400_000) })
    const open = await createCampaign(getDb(), { organisation_id: admin.organisation.id })
    const draft = await createCampaign(getDb(), { organisation_id: admin.organisation.id, status: 'draft', closes_at: new Date(Date.now() - 1000) })

    expect(await closeDueCampaigns()).toEqual([due.id])
    const statuses = await getDb().selectFrom('campaigns').select(['id', 'status']).where('organisation_id', '=', admin.organisation.id).execute()
    const statusOf = (id: string) => statuses.find((s) => s.id === id)?.status
    expect([statusOf(due.id), statusOf(later.id), statusOf(open.id), statusOf(draft.id)]).toEqual(['closed', 'live', 'live', 'draft'])
    const [event] = await auditOf(due.id)
    expect(event).toMatchObject({ action: 'campaign.closed_automatically', actor_user_id: null, organisation_id: admin.organisation.id })
    expect(await closeDueCampaigns()).toEqual([])
  })
})

describe('listAdminCampaigns', () => {
  it('lists only the organisation’s campaigns with confirmed, pending and today’s counts', async () => {
    const { admin, draft } = await setUp()
    const live = await createCampaign(getDb(), { organisation_id: admin.organisation.id, signature_count: 3 })
    await createCampaign(getDb())
    await createSignature(getDb(), { campaign_id: live.id, state: 'pending' })
    await createSignature(getDb(), { campaign_id: live.id, state: 'pending' })
    await createSignature(getDb(), { campaign_id: live.id, state: 'confirmed' })
    await createSignature(getDb(), { campaign_id: live.id, state: 'confirmed', confirmed_at: new Date(Date.now() - 3 * 86_400_000) })

    const list = await listAdminCampaigns(admin.organisation.id)
    expect(list.map((c) => c.id).sort()).toEqual([draft.id, live.id].sort())
    expect(list.find((c) => c.id === live.id)).toMatchObject({ status: 'live', confirmedCount: 3, pendingCount: 2, todayCount: 1 })
    expect(list.find((c) => c.id === draft.id)).toMatchObject({ status: 'draft', confirmedCount: 0, pendingCount: 0, todayCount: 0 })
  })
})

describe('donation presets', () => {
  it('reads amounts in major units into minor units, minding zero-decimal currencies', () => {
    expect(parsePresetList('5, 10, 25.50', 'EUR')).toEqual([500, 1000, 2550])
    expect(parsePresetList('1000 500 500', 'JPY')).toEqual([500, 1000])
    expect(parsePresetList('10.5', 'JPY')).toBeNull()
    expect(parsePresetList('ten', 'EUR')).toBeNull()
    expect(parsePresetList('0', 'EUR')).toBeNull()
    expect(parsePresetList('', 'EUR')).toEqual([])
    expect(formatPresetList([500, 2550], 'EUR')).toBe('5, 25.50')
    expect(formatPresetList([500], 'JPY')).toBe('500')
  })
})

/** A valid 1×1 PNG. */
export function tinyPng(): Buffer {
  return Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')
}

describe('images', () => {
  it('knows JPEG, PNG and WebP by their bytes, with their size', () => {
    expect(detectImage(tinyPng())).toEqual({ contentType: 'image/png', width: 1, height: 1 })
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x20, 0x00, 0x40, 0x03])
    expect(detectImage(jpeg)).toEqual({ contentType: 'image/jpeg', width: 64, height: 32 })
    const webp = Buffer.alloc(30)
    webp.write('RIFF', 0, 'ascii')
    webp.write('WEBP', 8, 'ascii')
    webp.write('VP8X', 12, 'ascii')
    webp.writeUIntLE(99, 24, 3)
    webp.writeUIntLE(49, 27, 3)
    expect(detectImage(webp)).toEqual({ contentType: 'image/webp', width: 100, height: 50 })
    expect(detectImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBeNull()
    expect(detectImage(Buffer.from('GIF89a......'))).toBeNull()
  })

  it('refuses files that are too big, empty or of another type whatever they claim to be', async () => {
    expect(await checkUploadedImage(new File([new Uint8Array(MAX_IMAGE_BYTES + 1)], 'big.png', { type: 'image/png' }))).toEqual({
      problem: 'admin.image.error.tooLarge',
    })
    expect(await checkUploadedImage(new File([], 'empty.png', { type: 'image/png' }))).toEqual({ problem: 'admin.image.error.empty' })
    expect(await checkUploadedImage(new File(['<script>alert(1)</script>'], 'x.png', { type: 'image/png' }))).toEqual({
      problem: 'admin.image.error.type',
    })
    const ok = await checkUploadedImage(new File([new Uint8Array(tinyPng())], 'x.bin', { type: 'application/octet-stream' }))
    expect(ok).toMatchObject({ image: { contentType: 'image/png', width: 1, height: 1 } })
  })

  it('replaces the hero image, deleting the old one, and shows it publicly with its alt text', async () => {
    const { admin } = await setUp()
    const live = await createCampaign(getDb(), { organisation_id: admin.organisation.id })
    const first = await checkUploadedImage(new File([new Uint8Array(tinyPng())], 'a.png'))
    if (!('image' in first)) throw new Error('refused')
    let campaign = await requireAdminCampaign(admin, live.id)
    await updateCampaignContent(admin, live.id, 'en', valuesFrom(campaign, 'en', { image: first.image, content: { hero_image_alt: 'A river' } }), 1)
    campaign = await requireAdminCampaign(admin, live.id)
    expect(campaign.heroImage).toMatchObject({ sha256: first.image.sha256, contentType: 'image/png', width: 1, height: 1 })
    const page = await getPublicCampaign(live.slug, 'en')
    expect(page?.heroImage).toEqual({ url: `/media/${campaign.heroImage!.id}/${first.image.sha256}`, alt: 'A river', width: 1, height: 1 })

    const other = { ...first.image, bytes: Buffer.concat([first.image.bytes, Buffer.from([0])]), sha256: 'f'.repeat(64) }
    await updateCampaignContent(admin, live.id, 'en', valuesFrom(campaign, 'en', { image: other }), campaign.version)
    const images = await getDb().selectFrom('campaign_images').select(['sha256']).where('campaign_id', '=', live.id).execute()
    expect(images).toEqual([{ sha256: 'f'.repeat(64) }])

    campaign = await requireAdminCampaign(admin, live.id)
    await updateCampaignContent(admin, live.id, 'en', valuesFrom(campaign, 'en', { image: null }), campaign.version)
    expect((await requireAdminCampaign(admin, live.id)).heroImage).toBeNull()
    expect(await getDb().selectFrom('campaign_images').select('id').where('campaign_id', '=', live.id).execute()).toEqual([])
  })
})
