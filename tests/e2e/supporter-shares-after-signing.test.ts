import { expect, test } from '@playwright/test'
import { createCampaign } from '../support/factories'
import { uniqueEmail } from '../support/factories'
import { confirmationLink, e2eDb, expectAxeClean, javaScriptIsOn, signPetition } from './support'

for (const viewport of [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
]) {
  test.describe(`at ${viewport.width} px`, () => {
    test.use({ viewport })

    test('a new signer sees their signature in the count, copies the link, shares it and finds what to do next', async ({ page, context, baseURL }) => {
      const campaign = await createCampaign(e2eDb(), { signature_goal: 500 })
      const other = await createCampaign(e2eDb(), { organisation_id: campaign.organisation_id })
      const closed = await createCampaign(e2eDb(), { organisation_id: campaign.organisation_id, status: 'closed' })
      const shared: unknown[] = []
      if (javaScriptIsOn()) {
        await context.grantPermissions(['clipboard-read', 'clipboard-write'])
        // This browser has no share sheet of its own: stand one in, as a phone would offer.
        await page.exposeFunction('recordShare', (data: unknown) => shared.push(data))
        await page.addInitScript(() => {
          Object.defineProperty(navigator, 'share', {
            value: (data: unknown) => (window as unknown as { recordShare: (d: unknown) => Promise<void> }).recordShare(data),
          })
        })
      }
      const email = uniqueEmail('sharer')
      await signPetition(page, campaign.slug, { fullName: 'Ada Lovelace', email })
      await page.goto(await confirmationLink(page, email))
      await page.getByRole('button', { name: 'Confirm my signature' }).click()
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')

      // Their own signature is in the number at once, before the counter has run.
      await expect(page.locator('#thanks-progress-label')).toContainText('1 person has signed')

      const url = `${baseURL}/campaigns/${campaign.slug}`
      const share = page.getByRole('region', { name: 'Share this petition' })
      await expect(share.getByLabel('Link to the petition')).toHaveValue(url)
      await expect(share.getByRole('link', { name: /WhatsApp/ })).toBeVisible()
      if (javaScriptIsOn()) {
        await share.getByRole('button', { name: 'Copy link' }).click()
        await expect(share.getByRole('status')).toHaveText('Link copied.')
        expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url)
        await share.getByRole('button', { name: 'Share…' }).click()
        await expect.poll(() => shared).toEqual([{ title: campaign.title, url }])
      } else {
        // Without JavaScript, the link is there to select and copy; no button that would do nothing.
        await expect(share.getByRole('button')).toHaveCount(0)
      }

      // Next: give (donations are configured here) and the organisation's other live campaigns.
      const next = page.getByRole('region', { name: 'What next?' })
      await expect(next.getByRole('link', { name: 'Make a donation' })).toBeVisible()
      await expect(next.getByRole('link', { name: other.title })).toHaveAttribute('href', `/campaigns/${other.slug}`)
      await expect(next.getByRole('link', { name: closed.title })).toHaveCount(0)
      await expect(next.getByRole('link', { name: campaign.title })).toHaveCount(0)
      await expectAxeClean(page)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width)
    })
  })
}
