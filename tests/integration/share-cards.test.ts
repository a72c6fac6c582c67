import crypto from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createCampaign, createOrganisation } from '../support/factories'
import { cardIsStale } from '~/models/share-card.server'
import { loader as campaignLoader, meta as campaignMeta } from '~/routes/campaigns.$slug'
import { loader as cardLoader } from '~/routes/campaigns.$slug_.share-card[.]png'
import { getDb } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { drawShareCard, MAX_WAITING_CARDS, ShareCardBusyError } from '~/utils/share-card-image.server'

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** The PNG's width and height from its IHDR chunk, or a failed expectation. */
function pngSize(bytes: Buffer) {
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true)
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

async function fetchCard(slug: string, lang: string, headers: Record<string, string> = {}) {
  const request = new Request(`http://localhost/campaigns/${slug}/share-card.png?lang=${lang}`, { headers })
  const response = (await cardLoader({
    request,
    params: { slug },
    context: { ip: '192.0.2.10', cspNonce: 'test' } as never,
  })) as Response
  return { response, bytes: Buffer.from(await response.arrayBuffer()) }
}

async function setCount(campaignId: string, count: number) {
  await getDb().updateTable('campaigns').set({ signature_count: count }).where('id', '=', campaignId).execute()
}

/**
 * Keeps the drawing queue full until the returned stop is awaited: every place a finished drawing
 * frees is taken again in the same turn of the event loop, before any request can get to it.
 */
function keepDrawingQueueFull() {
  let running = true
  const pending = new Set<Promise<void>>()
  const add = () => {
    const draw: Promise<void> = drawShareCard({ title: 'Filler', count: '1 signature', byline: 'A campaign by Test', colour: null }).then(
      () => {
        pending.delete(draw)
        if (running) add()
      },
      (error: unknown) => {
        pending.delete(draw)
        if (!(error instanceof ShareCardBusyError)) throw error
      },
    )
    pending.add(draw)
  }
  for (let n = 0; n <= MAX_WAITING_CARDS; n++) add()
  return async () => {
    running = false
    while (pending.size > 0) await Promise.all([...pending])
  }
}

describe('share cards', () => {
  it('draws a 1200×630 PNG per language, cached, redrawn only once the count has moved on', async () => {
    const organisation = await createOrganisation(getDb(), {
      name: 'Memorial Friends',
    })
    const campaign = await createCampaign(getDb(), {
      organisation_id: organisation.id,
      signature_count: 1000,
      signature_goal: 5000,
      translations: {
        ru: {
          title: 'Освободите правозащитников',
          summary: 'Кратко',
          demand: 'Требуем',
          target_name: 'Министр',
        },
      },
    })

    const en = await fetchCard(campaign.slug, 'en')
    expect(en.response.status).toBe(200)
    expect(en.response.headers.get('Content-Type')).toBe('image/png')
    expect(en.response.headers.get('Cache-Control')).toMatch(/^public, max-age=\d+/)
    expect(pngSize(en.bytes)).toEqual({ width: 1200, height: 630 })
    const etag = en.response.headers.get('ETag')
    expect(etag).toBe(`"${crypto.createHash('sha256').update(en.bytes).digest('hex')}"`)

    const ru = await fetchCard(campaign.slug, 'ru')
    expect(pngSize(ru.bytes)).toEqual({ width: 1200, height: 630 })
    expect(ru.bytes.equals(en.bytes)).toBe(false)

    // The same ETag answers 304 with no body.
    const revalidated = await fetchCard(campaign.slug, 'en', {
      'If-None-Match': etag!,
    })
    expect(revalidated.response.status).toBe(304)
    expect(revalidated.bytes.length).toBe(0)

    // A small step (under 5%, no milestone crossed): the stored card, still showing 1000.
    await setCount(campaign.id, 1030)
    const small = await fetchCard(campaign.slug, 'en')
    expect(small.response.headers.get('ETag')).toBe(etag)
    const stored = await getDb()
      .selectFrom('campaign_share_cards')
      .select(['locale', 'signature_count'])
      .where('campaign_id', '=', campaign.id)
      .orderBy('locale')
      .execute()
    expect(stored).toEqual([
      { locale: 'en', signature_count: 1000 },
      { locale: 'ru', signature_count: 1000 },
    ])

    // A jump: drawn again for the new count.
    await setCount(campaign.id, 1200)
    const jumped = await fetchCard(campaign.slug, 'en')
    expect(pngSize(jumped.bytes)).toEqual({ width: 1200, height: 630 })
    expect(jumped.response.headers.get('ETag')).not.toBe(etag)
    expect(jumped.bytes.equals(en.bytes)).toBe(false)
    const row = await getDb()
      .selectFrom('campaign_share_cards')
      .select('signature_count')
      .where('campaign_id', '=', campaign.id)
      .where('locale', '=', 'en')
      .executeTakeFirstOrThrow()
    expect(row.signature_count).toBe(1200)
  }, 30_000)

  it('answers 503 with Retry-After while the drawing queue is full and no card is stored, and serves a stale stored card instead', async () => {
    const unseen = await createCampaign(getDb(), { signature_count: 10 })
    const seen = await createCampaign(getDb(), { signature_count: 1000 })
    const first = await fetchCard(seen.slug, 'en')
    expect(first.response.status).toBe(200)
    await setCount(seen.id, 2000)

    const stop = keepDrawingQueueFull()
    try {
      const busy = await fetchCard(unseen.slug, 'en')
      expect(busy.response.status).toBe(503)
      expect(busy.response.headers.get('Retry-After')).toBe('30')
      expect(busy.response.headers.get('Cache-Control')).toBe('no-store')
      expect(busy.response.headers.get('Content-Type')).not.toBe('image/png')

      const stale = await fetchCard(seen.slug, 'en')
      expect(stale.response.status).toBe(200)
      expect(stale.response.headers.get('Content-Type')).toBe('image/png')
      expect(stale.response.headers.get('ETag')).toBe(first.response.headers.get('ETag'))
      expect(stale.bytes.equals(first.bytes)).toBe(true)
    } finally {
      await stop()
    }
    const cards = await getDb()
      .selectFrom('campaign_share_cards')
      .select(['campaign_id', 'signature_count'])
      .where('campaign_id', 'in', [unseen.id, seen.id])
      .execute()
    expect(cards).toEqual([{ campaign_id: seen.id, signature_count: 1000 }])

    // Once the queue has room again, the missing card is drawn.
    const later = await fetchCard(unseen.slug, 'en')
    expect(later.response.status).toBe(200)
    expect(pngSize(later.bytes)).toEqual({ width: 1200, height: 630 })
  }, 60_000)

  it('counts a crossed milestone or goal as noticeable, small steps not', () => {
    expect(cardIsStale(1000, 1000, [])).toBe(false)
    expect(cardIsStale(1000, 1049, [5000])).toBe(false)
    expect(cardIsStale(1000, 1050, [5000])).toBe(true)
    expect(cardIsStale(4990, 5001, [5000])).toBe(true)
    expect(cardIsStale(0, 1, [])).toBe(true)
  })

  it('answers 404 for drafts and unknown campaigns', async () => {
    const draft = await createCampaign(getDb(), { status: 'draft' })
    const request = new Request(`http://localhost/campaigns/${draft.slug}/share-card.png?lang=en`)
    const outcome = await cardLoader({
      request,
      params: { slug: draft.slug },
      context: { ip: '192.0.2.10', cspNonce: 'test' } as never,
    }).catch((thrown: unknown) => thrown)
    expect((outcome as Response).status).toBe(404)
  })

  it('puts an absolute og:image and summary_large_image on the campaign page, the same for every visitor', async () => {
    const campaign = await createCampaign(getDb())
    const { APP_URL } = getEnv()
    async function metaFor(lang: string) {
      const request = new Request(`http://localhost/campaigns/${campaign.slug}?lang=${lang}`)
      const response = (await campaignLoader({
        request,
        params: { slug: campaign.slug },
        context: { ip: '192.0.2.10', cspNonce: 'test' } as never,
      })) as unknown as { data: unknown }
      const tags = campaignMeta({ data: response.data } as never) as Array<Record<string, string>>
      return {
        image: tags.find((tag) => tag.property === 'og:image')?.content,
        card: tags.find((tag) => tag.name === 'twitter:card')?.content,
      }
    }
    const en = await metaFor('en')
    expect(en.card).toBe('summary_large_image')
    expect(en.image).toBe(`${APP_URL}/campaigns/${campaign.slug}/share-card.png?lang=en`)
    expect(new URL(en.image!).origin).toBe(new URL(APP_URL).origin)
    expect((await metaFor('ru')).image).toBe(`${APP_URL}/campaigns/${campaign.slug}/share-card.png?lang=ru`)

    // With a hero image: that image's own absolute URL.
    const sha256 = crypto.createHash('sha256').update('hero').digest('hex')
    const image = await getDb()
      .insertInto('campaign_images')
      .values({
        campaign_id: campaign.id,
        content_type: 'image/png',
        bytes: Buffer.from('hero'),
        byte_size: 4,
        sha256,
        width: 1200,
        height: 630,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await getDb().updateTable('campaigns').set({ hero_image_id: image.id, hero_image_alt: 'Protest' }).where('id', '=', campaign.id).execute()
    expect((await metaFor('en')).image).toBe(`${APP_URL}/media/${image.id}/${sha256}`)
  })
})
