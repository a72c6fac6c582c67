import { emailIndex } from '../../app/models/data-key.server'
import { expect, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { CONFIRM_SUBJECT, e2eDb, emailsTo, expectAxeClean, mailboxFor, signaturesOf, signPetition } from './support'

for (const viewport of [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
]) {
  test.describe(`at ${viewport.width} px`, () => {
    test.use({ viewport })

    test('a supporter sees where the email went, corrects a mistyped address and sends the email again', async ({ page, context }) => {
      const campaign = await createCampaign(e2eDb())
      const typo = uniqueEmail('ada').replace('@example.org', '@exmaple.org')
      const right = uniqueEmail('ada')
      await signPetition(page, campaign.slug, { fullName: 'Ada Lovelace', email: typo })

      // The address shows on the page, from a cookie only this page gets: never in the URL.
      await expect(page.getByText(`We sent it to ${typo}.`)).toBeVisible()
      expect(page.url()).not.toContain('exmaple')
      const cookie = (await context.cookies()).find((c) => c.name === 'chorus_sent')
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: `/campaigns/${campaign.slug}/` })
      // While they wait, the share options.
      await expect(page.getByRole('region', { name: 'While you wait, share the petition' }).getByRole('link', { name: /Telegram/ })).toBeVisible()
      await expectAxeClean(page)

      // A mistyped address is refused as on the sign form; a good one is corrected.
      const correct = page.getByRole('region', { name: 'Wrong address?' })
      await correct.getByLabel('Your email address').fill('not an address')
      await correct.getByRole('button', { name: 'Send it to this address instead' }).click()
      await expect(page.getByText('Enter an email address like name@example.com')).toBeVisible()
      await expectAxeClean(page)
      await correct.getByLabel('Your email address').fill(right)
      await correct.getByRole('button', { name: 'Send it to this address instead' }).click()
      await expect(page.getByRole('status').first()).toContainText(`we have sent the email to ${right}`)
      await expect(page.getByText(`We sent it to ${right}.`)).toBeVisible()
      await mailboxFor(page, right, CONFIRM_SUBJECT)
      const [signature] = await signaturesOf(campaign.id)
      expect(signature).toMatchObject({ email: right, email_index: await emailIndex(right, e2eDb()), state: 'pending' })

      // Send the email again: the same answer each time; the third email of the day is the last.
      for (let press = 0; press < 2; press++) {
        await page.goto(`/campaigns/${campaign.slug}/check-your-email`)
        await page.getByRole('button', { name: 'Send the email again' }).click()
        await expect(page.getByText('If we can, we have sent the email again.')).toBeVisible()
      }
      await expectAxeClean(page)
      await expect.poll(async () => (await emailsTo(right)).length + (await emailsTo(typo)).length, { timeout: 15_000 }).toBe(3)
      expect(await signaturesOf(campaign.id)).toHaveLength(1)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width)
    })
  })
}

test('without the cookie the page sends nothing and says how to get a new email', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  await page.goto(`/campaigns/${campaign.slug}/check-your-email`)
  await expect(page.getByText('This page no longer remembers your address.')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Send the email again' })).toHaveCount(0)
  await expectAxeClean(page)
})
