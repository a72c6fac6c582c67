import { describe, expect, it } from 'vitest'
import { createDraft, updateCampaignContent } from '~/models/admin-campaign.server'
import { publishCampaign } from '~/models/campaign-publishing.server'
import { missingTranslations } from '~/models/campaign-changes.server'
import { formatPresetList, parsePresetList, slugify } from '~/models/campaign-fields'
import { listAdminCampaigns } from '~/models/editable-campaign.server'
import { requireAdminCampaign } from '~/http/campaign.server'
import { findSlugRedirect, getPublicCampaign, getPublicCampaignById, getPublicMilestones } from '~/models/campaign.server'
import { getDb } from '~/utils/db.server'
import { createAdmin } from '../../tests/support/admin'
import { auditOf, completeEnglish, setUp, valuesFrom } from '../../tests/support/editor'
import { createCampaign, createSignature } from '../../tests/support/factories'

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
    const other = (await createAdmin(getDb(), { role: 'owner' })).context
    for (const id of [draft.id, 'abc', '999999']) {
      const thrown = await requireAdminCampaign(other, id).catch((e: unknown) => e)
      expect(thrown).toBeInstanceOf(Response)
      expect((thrown as Response).status).toBe(404)
    }
  })
})

describe('optimistic concurrency', () => {
  it('refuses the second of two saves from the same version and says what changed and who changed it', async () => {
    const { admin, draft } = await setUp()
    const colleague = (await createAdmin(getDb(), { role: 'campaigner', organisationId: admin.organisation.id, name: 'Sam' })).context
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
    const otherAdmin = (await createAdmin(getDb())).context
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
