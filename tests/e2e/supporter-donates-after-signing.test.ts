import { expect, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { confirmationLink, e2eDb, expectAxeClean, mailboxFor, signPetition } from './support'

const RECEIPT_SUBJECT = /^Receipt for your donation to/

test('a supporter signs, is asked to give, gives a one-off amount and sees the campaign total rise', async ({ page, request }) => {
  // A long story (signing, paying, the mailbox, several accessibility checks): three times the usual time.
  test.slow()
  const campaign = await createCampaign(e2eDb(), { show_donation_totals: true })
  const email = uniqueEmail('giver')

  // Before anyone gives, the campaign shows what it has raised (nothing) and how to give.
  await page.goto(`/campaigns/${campaign.slug}`)
  const donations = page.getByRole('region', { name: 'Donations' })
  await expect(donations).toContainText('€0 raised')
  await expect(donations.getByRole('link', { name: 'Donate to this campaign' })).toHaveAttribute('href', `/campaigns/${campaign.slug}/donate`)

  // Sign and confirm.
  await signPetition(page, campaign.slug, { fullName: 'Grace Giver', email })
  await page.goto(await confirmationLink(page, email))
  await page.getByRole('button', { name: 'Confirm my signature' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')

  // The thank-you page asks for a gift.
  await expect(page.getByText('Can you chip in?')).toBeVisible()
  await expectAxeClean(page)
  await page.getByRole('link', { name: 'Make a donation' }).click()

  // The donate form, with the new supporter's name and email filled in.
  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}/donate$`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Support this campaign')
  await expect(page.getByLabel('Full name', { exact: true })).toHaveValue('Grace Giver')
  await expect(page.getByLabel('Email address')).toHaveValue(email)
  await expect(page.getByLabel('One-off')).toBeChecked()
  await expectAxeClean(page)

  // A mistake first: an amount below the minimum is refused beside the field, with the choices kept.
  await page.getByLabel('Other amount').check()
  await page.getByLabel('Your amount in EUR').fill('0.50')
  await page.getByRole('button', { name: 'Continue to secure payment' }).click()
  await expect(page.getByLabel('Your amount in EUR')).toHaveAccessibleDescription(/The smallest gift we can take is €1/)
  await expect(page.getByLabel('Your amount in EUR')).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByLabel('Your amount in EUR')).toHaveValue('0.50')
  await expect(page.getByLabel('Email address')).toHaveValue(email)
  await expectAxeClean(page)

  // Then €50.
  await page.getByLabel('€50').check()
  await page.getByRole('button', { name: 'Continue to secure payment' }).click()

  // Stripe Checkout (the fake's pay page): pay.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Fake Stripe Checkout')
  await expect(page.locator('#amount')).toHaveText('50.00 EUR')
  await page.getByRole('button', { name: 'Pay' }).click()

  // Back on the site: the gift is confirmed (the webhook has been received).
  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}/donate/thank-you\\?donation=\\d+&sig=`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for your gift')
  await expect(page.getByRole('status')).toContainText('Your gift of €50 is confirmed')
  await expectAxeClean(page)

  // The receipt.
  const receipts = await mailboxFor(page, email, RECEIPT_SUBJECT)
  await expect(receipts.first()).toContainText('€50.00')
  await expect(receipts.first()).toContainText(campaign.title)
  await expect(receipts.first()).not.toContainText('Stop my monthly gift')

  // The campaign's total rises, on the page and in the JSON.
  await page.goto(`/campaigns/${campaign.slug}`)
  await expect(page.getByRole('region', { name: 'Donations' })).toContainText('€50 raised from 1 donor')
  const json = await (await request.get(`/api/campaigns/${campaign.slug}`)).json()
  expect(json.donations).toEqual({ currency: 'EUR', totalMinor: 5000, donorCount: 1 })

  // Recorded once.
  const payments = await e2eDb().selectFrom('donation_payments').selectAll().where('campaign_id', '=', campaign.id).execute()
  expect(payments).toHaveLength(1)
})

test('a donor who leaves Checkout comes back to the form with their choices', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  await page.goto(`/campaigns/${campaign.slug}/donate`)
  await page.getByLabel('Monthly').check()
  await page.getByLabel('Other amount').check()
  await page.getByLabel('Your amount in EUR').fill('7.50')
  await page.getByLabel('Full name', { exact: true }).fill('Alan Back')
  await page.getByLabel('Email address').fill('alan.back@example.org')
  await page.getByRole('button', { name: 'Continue to secure payment' }).click()
  await expect(page.locator('#amount')).toHaveText('7.50 EUR per month')
  await page.getByRole('link', { name: 'Back' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Support this campaign')
  await expect(page.getByLabel('Monthly')).toBeChecked()
  await expect(page.getByLabel('Other amount')).toBeChecked()
  await expect(page.getByLabel('Your amount in EUR')).toHaveValue('7.50')
  await expect(page.getByLabel('Full name', { exact: true })).toHaveValue('Alan Back')
  await expect(page.getByLabel('Email address')).toHaveValue('alan.back@example.org')
})
