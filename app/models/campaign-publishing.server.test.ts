import { describe, expect, it } from 'vitest'
import { updateCampaignContent } from '~/models/admin-campaign.server'
import { closeCampaign, closeDueCampaigns, publishCampaign } from '~/models/campaign-publishing.server'
import { requireAdminCampaign } from '~/http/campaign.server'
import { checkUploadedImage } from '~/models/campaign-image.server'
import { getPublicCampaign } from '~/models/campaign.server'
import { getDb } from '~/utils/db.server'
import { auditOf, completeEnglish, setUp, tinyPng, valuesFrom } from '../../tests/support/editor'
import { createCampaign } from '../../tests/support/factories'

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
