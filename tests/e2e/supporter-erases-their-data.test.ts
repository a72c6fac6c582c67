import fs from 'node:fs/promises'
import { expect, test, type Download, type Page } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { apiCount, confirmationLink, e2eDb, expectAxeClean, expectCampaignCount, mailboxFor, signaturesOf, signPetition } from './support'

// A supporter sees, downloads and erases their own data at /my-data, without an account
// (decisions 0040 and 0045); the campaign's count does not move.

test.beforeEach(() => {
  test.slow()
})

/** Nothing wider than the screen. */
async function expectNoSidewaysScroll(page: Page, width: number) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
  expect(scrollWidth, page.url()).toBeLessThanOrEqual(width)
}

async function jsonOf(download: Download) {
  return JSON.parse(await fs.readFile((await download.path())!, 'utf8')) as {
    email: string
    signatures: { campaign: string; fullName: string; postcode: string | null; state: string }[]
  }
}

for (const viewport of [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
]) {
  test.describe(`at ${viewport.width} px`, () => {
    test.use({ viewport })

    test('a supporter downloads, then erases, everything held for their address; the count stays', async ({ page, request }) => {
      const campaign = await createCampaign(e2eDb())
      const email = uniqueEmail('mine')
      await signPetition(page, campaign.slug, { fullName: 'Nadia Erasable', email, postcode: 'NE1 4ZZ' })
      await page.goto(await confirmationLink(page, email))
      await page.getByRole('button', { name: 'Confirm my signature' }).click()
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')
      await expect.poll(() => apiCount(request, campaign.slug), { timeout: 15_000 }).toBe(1)

      // Ask for the link: the page says the same whatever the address.
      await page.goto('/my-data')
      await expectAxeClean(page)
      await expectNoSidewaysScroll(page, viewport.width)
      await page.getByLabel('Email address').fill(email)
      await page.getByRole('button', { name: 'Email me a link' }).click()
      await expect(page.getByText('If we hold anything for that address, we have emailed it a link.')).toBeVisible()

      const emails = await mailboxFor(page, email, /^Your data held by Chorus/)
      const link = await emails.first().getByRole('link', { name: 'See my data' }).getAttribute('href')
      expect(link).toMatch(/^http:\/\/localhost:\d+\/my-data\/[A-Za-z0-9_-]{20,}\?lang=en$/)
      await page.goto(link!)
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`The data we hold for ${email}`)
      await expect(page.getByText(`“${campaign.title}”`)).toBeVisible()
      await expectAxeClean(page)
      await expectNoSidewaysScroll(page, viewport.width)

      // Download: a JSON file holding the signature.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my data' }).click()])
      const held = await jsonOf(download)
      expect(held.email).toBe(email)
      expect(held.signatures).toMatchObject([{ campaign: campaign.title, fullName: 'Nadia Erasable', postcode: 'NE1 4ZZ', state: 'confirmed' }])

      // Erase, after a confirmation.
      await page.getByRole('button', { name: 'Erase my data' }).click()
      await expect(page.getByRole('heading', { level: 2, name: 'Erase everything for this address?' })).toBeVisible()
      await expectAxeClean(page)
      await page.getByRole('button', { name: 'Yes, erase my data' }).click()
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your data has been erased')
      await expectAxeClean(page)
      await expectNoSidewaysScroll(page, viewport.width)

      // Nothing of the person is left; the count is as it was.
      const [row] = await signaturesOf(campaign.id)
      expect(row).toMatchObject({ full_name: '', email: '', postcode: null, state: 'confirmed' })
      expect(row!.contact_erased_at).not.toBeNull()
      expect(await apiCount(request, campaign.slug)).toBe(1)
      await expectCampaignCount(page, campaign.slug, /\b1\b/)

      // The link is spent.
      await page.goto(link!)
      await expect(page).toHaveURL(/\/my-data\?expired=1/)
    })
  })
}
