import { expect, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { e2eDb, expectAxeClean, mailboxFor } from './support'

const MONTHLY_RECEIPT = /^Receipt for your monthly donation to/

test('a monthly donor gives, gets a receipt with a stop link, and stops the gift', async ({ page }) => {
  // A long story (signing, paying, the mailbox, several accessibility checks): three times the usual time.
  test.slow()
  const campaign = await createCampaign(e2eDb(), { show_donation_totals: true })
  const email = uniqueEmail('monthly')

  await page.goto(`/campaigns/${campaign.slug}/donate`)
  await page.getByLabel('Monthly').check()
  await page.getByLabel('€10', { exact: true }).check()
  await page.getByLabel('Full name', { exact: true }).fill('Mo Monthly')
  await page.getByLabel('Email address').fill(email)
  await page.getByRole('button', { name: 'Continue to secure payment' }).click()

  await expect(page.locator('#amount')).toHaveText('10.00 EUR per month')
  await page.getByRole('button', { name: 'Pay' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for your gift')
  await expect(page.getByRole('status')).toContainText('Your monthly gift of €10 is confirmed')

  // The receipt explains how to stop, with a signed link.
  const receipts = await mailboxFor(page, email, MONTHLY_RECEIPT)
  await expect(receipts.first()).toContainText('€10.00')
  await expect(receipts.first()).toContainText('taken each month until you stop it')
  const stopLink = await receipts.first().getByRole('link', { name: 'Stop my monthly gift' }).getAttribute('href')
  expect(stopLink).toMatch(/^http:\/\/localhost:\d+\/donations\/\d+\/manage\?sig=[\w-]+&lang=en$/)

  // The page behind the link: one button, a plain form post.
  await page.goto(stopLink!)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your monthly gift')
  await expect(page.getByText(`€10 a month to “${campaign.title}”`)).toBeVisible()
  await expectAxeClean(page)
  await page.getByRole('button', { name: 'Cancel my monthly gift' }).click()
  await expect(page.getByRole('status')).toContainText('Your monthly gift is cancelled')
  await expect(page.getByRole('button', { name: 'Cancel my monthly gift' })).toHaveCount(0)
  await expectAxeClean(page)

  const [donation] = await e2eDb().selectFrom('donations').selectAll().where('campaign_id', '=', campaign.id).execute()
  expect(donation).toMatchObject({ frequency: 'monthly', status: 'cancelled', amount_minor: 1000 })
  // The money already given still counts.
  await page.goto(`/campaigns/${campaign.slug}`)
  await expect(page.getByRole('region', { name: 'Donations' })).toContainText('€10 raised from 1 donor')

  // A tampered link shows nothing.
  await page.goto(stopLink!.replace(/sig=[\w-]+/, 'sig=forged'))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This link is not valid')
})
