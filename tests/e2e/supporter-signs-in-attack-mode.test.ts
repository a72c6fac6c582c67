import { expect, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { confirmationLink, e2eDb, expectAxeClean, expectCampaignCount, fillSignForm, javaScriptIsOn, signaturesOf } from './support'

// Attack mode: the sign form carries a proof-of-work challenge. With JavaScript the
// browser solves it and the signature counts as usual; without, the signature is held for
// review, and the supporter sees exactly the same pages and emails either way.
test('a supporter signs a campaign in attack mode', async ({ page }) => {
  test.slow()
  const campaign = await createCampaign(e2eDb(), { attack_mode_started_at: new Date(), attack_mode_origin: 'manual' })
  const email = uniqueEmail()
  await page.goto(`/campaigns/${campaign.slug}`)
  await fillSignForm(page, { fullName: 'Ada Lovelace', email, country: 'GB' })
  const challenge = page.locator('input[name="altcha"]')
  if (javaScriptIsOn()) {
    // The widget fetches a challenge from our own origin and solves it in a worker.
    await expect.poll(async () => ((await challenge.count()) > 0 ? await challenge.inputValue() : ''), { timeout: 30_000 }).not.toBe('')
    await expectAxeClean(page)
  } else {
    await expect(challenge).toHaveCount(0)
  }
  await page.getByRole('button', { name: 'Sign the petition' }).click()
  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}/check-your-email(#main)?$`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email')

  const [stored] = await signaturesOf(campaign.id)
  expect(stored).toMatchObject(javaScriptIsOn() ? { state: 'pending', hold_reasons: [] } : { state: 'held', hold_reasons: ['attack_mode'] })

  // The same email and the same confirmation either way.
  await page.goto(await confirmationLink(page, email))
  await page.getByRole('button', { name: 'Confirm my signature' }).click()
  await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}/thank-you$`))
  const [confirmed] = await signaturesOf(campaign.id)
  expect(confirmed!.confirmed_at).not.toBeNull()
  if (javaScriptIsOn()) {
    await expectCampaignCount(page, campaign.slug, '1 signature of 100')
  } else {
    // Held: confirmed, but not counted until a reviewer releases it.
    expect(confirmed!.state).toBe('held')
    await page.goto(`/campaigns/${campaign.slug}`)
    await expect(page.locator('#campaign-progress-label')).toContainText('0 signatures of 100')
  }
})

test('the embedded form solves the same challenge in attack mode', async ({ page }) => {
  test.slow()
  const campaign = await createCampaign(e2eDb(), { attack_mode_started_at: new Date(), attack_mode_origin: 'manual' })
  await page.goto(`/campaigns/${campaign.slug}/embed?partner=partner.example`)
  await fillSignForm(page, { fullName: 'Ada Lovelace', email: uniqueEmail('embed'), country: 'GB' })
  const challenge = page.locator('input[name="altcha"]')
  if (javaScriptIsOn()) {
    await expect.poll(async () => ((await challenge.count()) > 0 ? await challenge.inputValue() : ''), { timeout: 30_000 }).not.toBe('')
  } else {
    await expect(challenge).toHaveCount(0)
  }
  await page.getByRole('button', { name: 'Sign the petition' }).click()
  await expect(page).toHaveURL(/[?&]sent=1/)
  await expectAxeClean(page)
  const [stored] = await signaturesOf(campaign.id)
  expect(stored).toMatchObject(javaScriptIsOn() ? { state: 'pending', hold_reasons: [] } : { state: 'held', hold_reasons: ['attack_mode'] })
})
