import { describe, expect, it } from 'vitest'
import { updateCampaignContent } from '~/models/admin-campaign.server'
import { requireAdminCampaign } from '~/http/campaign.server'
import { checkUploadedImage, detectImage, MAX_IMAGE_BYTES } from '~/models/campaign-image.server'
import { getPublicCampaign } from '~/models/campaign.server'
import { getDb } from '~/utils/db.server'
import { setUp, tinyPng, valuesFrom } from '../../tests/support/editor'
import { createCampaign } from '../../tests/support/factories'

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
