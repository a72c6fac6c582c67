import { expect, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { e2eDb, expectCheckYourEmail, fillSignForm, javaScriptIsOn, signaturesOf } from './support'

// Attack mode, for a supporter quicker than the proof-of-work: the form is sent before the
// challenge is solved. With JavaScript the form waits for the solution and then goes by itself;
// without, there is no challenge to wait for, and the signature goes at once, held for review.
test('a supporter who sends the form before the challenge is solved signs once', async ({ page }) => {
  test.slow()
  const campaign = await createCampaign(e2eDb(), { attack_mode_started_at: new Date(), attack_mode_origin: 'manual' })
  // The challenge is not answered until the form has been sent, so the form is sent unsolved.
  let releaseChallenge = () => {}
  const challengeHeld = new Promise<void>((resolve) => (releaseChallenge = resolve))
  await page.route(`**/campaigns/${campaign.slug}/challenge*`, async (route) => {
    await challengeHeld
    await route.continue()
  })

  await page.goto(`/campaigns/${campaign.slug}`)
  await fillSignForm(page, { fullName: 'Ada Lovelace', email: uniqueEmail(), country: 'GB' })
  const signButton = page.getByRole('button', { name: 'Sign the petition' })
  await signButton.click()

  if (javaScriptIsOn()) {
    // Waiting: still on the campaign page, the check working, nothing recorded; a second
    // press sends nothing more.
    await expect(page.getByTestId('sign-challenge')).toContainText('Verifying')
    await signButton.click()
    await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}(#sign)?$`))
    expect(await signaturesOf(campaign.id)).toHaveLength(0)
    releaseChallenge()
    // The proof of work is solved in the browser (a random count of hashes, up to 50,000 here):
    // on a busy machine it may take longer than an expectation's usual 10 s before the form goes.
    await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}/check-your-email(#main)?$`), { timeout: 60_000 })
  }
  await expectCheckYourEmail(page, campaign.slug)

  const stored = await signaturesOf(campaign.id)
  expect(stored).toHaveLength(1)
  // With JavaScript the form carried the solution, so the signature is not held.
  expect(stored[0]).toMatchObject(javaScriptIsOn() ? { state: 'pending', hold_reasons: [] } : { state: 'held', hold_reasons: ['attack_mode'] })
  releaseChallenge()
})
