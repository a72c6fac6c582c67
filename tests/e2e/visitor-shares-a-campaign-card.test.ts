import { expect, test } from '@playwright/test'
import { createCampaign } from '../support/factories'
import { e2eDb, expectAxeClean } from './support'

for (const viewport of [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
]) {
  test.describe(`at ${viewport.width} px`, () => {
    test.use({ viewport })

    test('a shared link shows a card in the page’s language: one PNG for English, another for Russian', async ({ page, request }) => {
      const campaign = await createCampaign(e2eDb(), {
        signature_count: 137,
        translations: {
          ru: { title: 'Освободите правозащитников', summary: 'Призовите власти действовать.', demand: 'Освободить всех.', target_name: 'Министр юстиции' },
        },
      })
      const images: Record<string, Buffer> = {}
      for (const lang of ['en', 'ru']) {
        await page.goto(`/campaigns/${campaign.slug}?lang=${lang}`)
        await expect(page.locator('meta[name="twitter:card"]')).toHaveAttribute('content', 'summary_large_image')
        const url = await page.locator('meta[property="og:image"]').getAttribute('content')
        expect(url).toMatch(new RegExp(`^https?://[^/]+/campaigns/${campaign.slug}/share-card\\.png\\?lang=${lang}$`))
        await expect(page.locator('meta[property="og:image:width"]')).toHaveAttribute('content', '1200')
        await expect(page.locator('meta[property="og:image:height"]')).toHaveAttribute('content', '630')
        const response = await request.get(url!)
        expect(response.status()).toBe(200)
        expect(response.headers()['content-type']).toBe('image/png')
        const body = await response.body()
        expect(body.subarray(1, 4).toString('latin1')).toBe('PNG')
        // The PNG's own header: 1200 × 630.
        expect([body.readUInt32BE(16), body.readUInt32BE(20)]).toEqual([1200, 630])
        images[lang] = body
        await expectAxeClean(page)
      }
      expect(images.en!.equals(images.ru!)).toBe(false)
    })
  })
}
