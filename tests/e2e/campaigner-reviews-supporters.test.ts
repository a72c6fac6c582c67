import { emailIndex } from '../../app/models/data-key.server'
import { expect, test, type Page } from '@playwright/test'
import { createCampaign, createSignature } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, signInThroughMailbox } from './support'

/** A live campaign of the organisation with a few supporters; the counter job folds the confirmed ones in the background. */
async function campaignWithSupporters(organisationId: string) {
  const db = e2eDb()
  const campaign = await createCampaign(db, { organisation_id: organisationId, signature_goal: 10 })
  const ada = await createSignature(db, {
    campaign_id: campaign.id,
    state: 'confirmed',
    country: 'GB',
    full_name: 'Ada Lovelace',
    email: 'ada.lovelace@example.org',
    utm_source: 'newsletter',
    consent_updates: true,
  })
  await createSignature(db, { campaign_id: campaign.id, state: 'confirmed', country: 'RU', full_name: 'Boris Pasternak', email: 'boris@example.net' })
  await createSignature(db, { campaign_id: campaign.id, state: 'confirmed', country: 'GB', full_name: 'Grace Hopper', email: 'grace@example.org' })
  await createSignature(db, { campaign_id: campaign.id, state: 'pending', country: 'FR', full_name: 'Claire Waiting', email: 'claire@example.org' })
  return { campaign, ada }
}

// Each story signs in through the mailbox (an email job) and waits for the counter job: on a
// busy machine that alone can take half a minute.
test.beforeEach(() => {
  test.slow()
})

/** Reloads the dashboard until a number reads `text` (counts are folded in the background). */
async function expectStat(page: Page, stat: string, text: string) {
  await expect(async () => {
    await page.reload()
    await expect(page.locator(`[data-stat="${stat}"]`)).toHaveText(text, { timeout: 500 })
  }).toPass({ timeout: 15_000, intervals: [250, 500, 1000] })
}

test('a campaigner reviews how a campaign is doing on its dashboard', async ({ page }) => {
  const organiser = await createOrganiser(e2eDb(), { role: 'campaigner' })
  const { campaign } = await campaignWithSupporters(organiser.organisation.id)
  await signInThroughMailbox(page, organiser.email, { next: `/admin/campaigns/${campaign.id}` })

  // The numbers, the chart and the same numbers as a table.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(campaign.title)
  await expectStat(page, 'confirmed', '3')
  await expect(page.locator('[data-stat="pending"]')).toHaveText('1')
  await expect(page.locator('[data-stat="rate"]')).toHaveText('75%')
  await expect(page.getByRole('img', { name: /Confirmed signatures per day/ })).toBeVisible()
  await page.getByText('Show the numbers as a table').click()
  const perDay = page.getByRole('table', { name: /Confirmed signatures per day/ })
  await expect(perDay).toBeVisible()
  await expect(perDay.getByRole('row')).toHaveCount(31)
  await expect(perDay.getByRole('row').last().getByRole('cell')).toHaveText('3')
  const countries = page.getByRole('table', { name: 'Countries' })
  await expect(countries.getByRole('row', { name: /United Kingdom 2/ })).toBeVisible()
  await expect(page.getByRole('table', { name: 'Sources' }).getByRole('row', { name: /newsletter 1/ })).toBeVisible()
  await expect(page.getByRole('region', { name: 'Latest activity' }).getByRole('listitem')).toHaveCount(3)
  await expectAxeClean(page)
})

test('a campaigner finds a supporter and invalidates a fraudulent signature', async ({ page }) => {
  const organiser = await createOrganiser(e2eDb(), { role: 'campaigner' })
  const { campaign } = await campaignWithSupporters(organiser.organisation.id)
  await signInThroughMailbox(page, organiser.email, { next: `/admin/campaigns/${campaign.id}` })
  await expectStat(page, 'confirmed', '3')

  // The supporters list: search by a whole address (names and addresses are sealed at rest).
  await page.getByRole('navigation', { name: 'Campaign' }).getByRole('link', { name: 'Supporters' }).click()
  await expect(page.getByRole('heading', { level: 2, name: 'Supporters' })).toBeVisible()
  const table = page.getByRole('table', { name: 'Supporters of this campaign' })
  await expect(table.getByRole('row')).toHaveCount(5)
  await page.getByLabel('Email address').fill('Ada.Lovelace@example.org')
  await page.getByRole('button', { name: 'Search' }).click()
  await expect(table.getByRole('row')).toHaveCount(2)
  const ada = table.getByRole('row', { name: /Ada Lovelace/ })
  await expect(ada).toContainText('ada.lovelace@example.org')
  await expect(ada).toContainText('Confirmed')
  await expect(ada).toContainText('Updates')
  await expectAxeClean(page)

  // Invalidate, with a reason, after a confirmation step.
  await ada.getByRole('link', { name: 'Invalidate the signature of Ada Lovelace' }).click()
  await expect(page.getByRole('heading', { name: 'Invalidate this signature?' })).toBeVisible()
  await page.getByLabel('Reason').selectOption('fraud')
  await page.getByRole('button', { name: 'Invalidate signature' }).click()
  await expect(page.getByText('The signature was invalidated.')).toBeVisible()
  await expect(page.getByLabel('Email address')).toHaveValue('Ada.Lovelace@example.org')
  await expect(table.getByRole('row', { name: /Ada Lovelace/ })).toContainText('Invalidated (Fraud or fake identity)')

  // The dashboard counts one fewer at once.
  await page.getByRole('navigation', { name: 'Campaign' }).getByRole('link', { name: 'Dashboard' }).click()
  await expect(page.locator('[data-stat="confirmed"]')).toHaveText('2')
  await expect(page.locator('[data-stat="invalidated"]')).toHaveText('1')
})

test('a campaigner removes the signature of a supporter who asked to be forgotten', async ({ page }) => {
  const organiser = await createOrganiser(e2eDb(), { role: 'campaigner' })
  const { campaign } = await campaignWithSupporters(organiser.organisation.id)
  await signInThroughMailbox(page, organiser.email, { next: `/admin/campaigns/${campaign.id}` })
  await expectStat(page, 'confirmed', '3')

  await page.goto(`/admin/campaigns/${campaign.id}/supporters`)
  await page.getByLabel('Email address').fill('boris@example.net')
  await page.getByRole('button', { name: 'Search' }).click()
  // Wait for the search to land: Boris's link is on the unfiltered list too, without the search.
  await expect(page).toHaveURL(/[?&]q=boris%40example\.net/)
  await expect(page.getByRole('table', { name: 'Supporters of this campaign' }).getByRole('row')).toHaveCount(2)
  await page.getByRole('link', { name: 'Remove the signature of Boris Pasternak' }).click()
  await expect(page.getByRole('heading', { name: 'Remove this signature for good?' })).toBeVisible()
  await expect(page.getByText('Signature of Boris Pasternak (boris@example.net), Confirmed')).toBeVisible()
  await expectAxeClean(page)
  await page.getByRole('button', { name: 'Yes, remove permanently' }).click()
  await expect(page.getByText('The signature was removed and its personal data deleted.')).toBeVisible()
  await expect(page.getByText('No supporters match.')).toBeVisible()
  expect(
    await e2eDb()
      .selectFrom('signatures')
      .select('id')
      .where('campaign_id', '=', campaign.id)
      .where('email_index', '=', await emailIndex('boris@example.net', e2eDb()))
      .execute(),
  ).toEqual([])

  await page.goto(`/admin/campaigns/${campaign.id}`)
  await expect(page.locator('[data-stat="confirmed"]')).toHaveText('2')
})

test('a viewer sees the dashboard but neither the supporters nor a way to them', async ({ page }) => {
  const owner = await createOrganiser(e2eDb(), { role: 'owner' })
  const viewer = await createOrganiser(e2eDb(), { role: 'viewer', organisationId: owner.organisation.id })
  const { campaign } = await campaignWithSupporters(owner.organisation.id)
  await signInThroughMailbox(page, viewer.email, { next: `/admin/campaigns/${campaign.id}` })

  await expectStat(page, 'confirmed', '3')
  await expect(page.getByRole('img', { name: /Confirmed signatures per day/ })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Supporters' })).toHaveCount(0)
  await expect(page.getByText(/Lovelace|Pasternak|Hopper|ada\.lovelace/)).toHaveCount(0)
  await expectAxeClean(page)

  const response = await page.goto(`/admin/campaigns/${campaign.id}/supporters`)
  expect(response?.status()).toBe(403)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Not allowed')
  await expect(page.getByText('Lovelace')).toHaveCount(0)
})
