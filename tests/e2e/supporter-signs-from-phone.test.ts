import { expect, test } from '@playwright/test'
import { createCampaign, createSignature, uniqueEmail } from '../support/factories'
import { e2eDb, expectAxeClean, expectCheckYourEmail, fillSignForm, javaScriptIsOn } from './support'

test.describe('on a 390 px phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: false })

  test('a supporter sees the count and a way to sign on the first screen, and signs from there', async ({ page }) => {
    const campaign = await createCampaign(e2eDb(), { signature_goal: 1000, signature_count: 137 })
    const milestone = await e2eDb()
      .insertInto('campaign_milestones')
      .values({ campaign_id: campaign.id, threshold: 200 })
      .returning('id')
      .executeTakeFirstOrThrow()
    await e2eDb().insertInto('campaign_milestone_translations').values({ milestone_id: milestone.id, locale: 'en', description: 'We hand it in' }).execute()
    await page.goto(`/campaigns/${campaign.slug}`)

    const progress = page.locator('#campaign-progress-label')
    await expect(progress).toContainText('137 signatures of 200, help us reach 200')
    await expect(progress).toContainText('Goal: 1,000')
    const signLink = page.getByRole('link', { name: 'Sign the petition' })
    await expect(signLink).toHaveAttribute('href', '#sign')
    // Both on the first screen, right under the title.
    for (const element of [page.getByRole('heading', { level: 1 }), progress, signLink]) await expect(element).toBeInViewport()
    // The form comes after the summary and the demand, before the story.
    const order = await page.evaluate(() => {
      const y = (selector: string) => document.querySelector(selector)!.getBoundingClientRect().top
      return { demand: y('.demand'), form: y('form#sign'), story: y('.story') }
    })
    expect(order.demand).toBeLessThan(order.form)
    expect(order.form).toBeLessThan(order.story)
    await expectAxeClean(page)

    await signLink.click()
    await expect(page).toHaveURL(/#sign$/)
    await expect(page.locator('#sign-heading')).toBeInViewport()
    await fillSignForm(page, { fullName: 'Ada Lovelace', email: uniqueEmail('phone'), country: 'GB' })
    await page.getByRole('button', { name: 'Sign the petition' }).click()
    await expectCheckYourEmail(page, campaign.slug)
  })

  test('a refused submission lands on the form, and the title counts the errors', async ({ page }) => {
    const campaign = await createCampaign(e2eDb())
    await page.goto(`/campaigns/${campaign.slug}`)
    const title = await page.title()
    await page.getByLabel('Full name', { exact: true }).fill('Ada')
    await page.getByRole('button', { name: 'Sign the petition' }).click()
    await expect(page.getByRole('alert').getByRole('heading', { name: 'There is a problem' })).toBeVisible()
    await expect(page).toHaveTitle(`2 errors: ${title}`)
    if (!javaScriptIsOn()) await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}#sign$`))
    await expect(page.locator('form#sign')).toBeInViewport()
    await expectAxeClean(page)
  })
})

test.describe('on a 1280 px desktop', () => {
  test.use({ viewport: { width: 1280, height: 900 } })

  test('a supporter sees the count and the form itself on the first screen, and signs there', async ({ page }) => {
    const campaign = await createCampaign(e2eDb(), { signature_goal: 1000, signature_count: 137 })
    const milestone = await e2eDb()
      .insertInto('campaign_milestones')
      .values({ campaign_id: campaign.id, threshold: 200 })
      .returning('id')
      .executeTakeFirstOrThrow()
    await e2eDb().insertInto('campaign_milestone_translations').values({ milestone_id: milestone.id, locale: 'en', description: 'We hand it in' }).execute()
    await page.goto(`/campaigns/${campaign.slug}`)
    const progress = page.locator('#campaign-progress-label')
    await expect(progress).toContainText('137 signatures of 200, help us reach 200')
    await expect(progress).toContainText('Goal: 1,000')
    // The form sits beside the title, so the jump link is not needed (nor shown).
    await expect(page.getByRole('link', { name: 'Sign the petition' })).toBeHidden()
    for (const element of [page.getByRole('heading', { level: 1 }), progress, page.getByLabel('Full name', { exact: true })])
      await expect(element).toBeInViewport()
    // The goal sits with the count, not in a gap of its own: the bar follows right under them.
    const gap = await page.evaluate(() => {
      const label = document.querySelector('#campaign-progress-label')!.getBoundingClientRect()
      const bar = document.querySelector('#campaign-progress progress')!.getBoundingClientRect()
      const lede = document.querySelector('.campaign-intro .lede')!.getBoundingClientRect()
      return { toBar: bar.top - label.bottom, toSummary: lede.top - bar.bottom }
    })
    expect(gap.toBar).toBeLessThan(16)
    expect(gap.toSummary).toBeLessThan(48)
    await expectAxeClean(page)
    await fillSignForm(page, { fullName: 'Ada Lovelace', email: uniqueEmail('desk'), country: 'GB' })
    await page.getByRole('button', { name: 'Sign the petition' }).click()
    await expectCheckYourEmail(page, campaign.slug)
  })

  test('a refused submission lands on the form, and the title counts the errors', async ({ page }) => {
    const campaign = await createCampaign(e2eDb())
    await page.goto(`/campaigns/${campaign.slug}`)
    const title = await page.title()
    await page.getByLabel('Email address').fill('not an address')
    await page.getByRole('button', { name: 'Sign the petition' }).click()
    await expect(page.getByRole('alert').getByRole('heading', { name: 'There is a problem' })).toBeVisible()
    await expect(page).toHaveTitle(`3 errors: ${title}`)
    if (!javaScriptIsOn()) await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}#sign$`))
    await expect(page.locator('form#sign')).toBeInViewport()
    await expectAxeClean(page)
  })
})

test('recent signers who agreed show with how long ago they signed', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  await createSignature(e2eDb(), {
    campaign_id: campaign.id,
    full_name: 'Grace Hopper',
    state: 'confirmed',
    consent_show_name: true,
    confirmed_at: new Date(Date.now() - 3 * 60_000),
  })
  await createSignature(e2eDb(), {
    campaign_id: campaign.id,
    full_name: 'Hidden Person',
    state: 'confirmed',
    consent_show_name: false,
    confirmed_at: new Date(),
  })
  await page.goto(`/campaigns/${campaign.slug}`)
  const recent = page.getByRole('region', { name: 'Recent signers' })
  await expect(recent).toContainText('Grace')
  await expect(recent).toContainText('3 minutes ago')
  await expect(recent).not.toContainText('Hidden')
  await expectAxeClean(page)
})

test('a shared link shows the campaign: og:image is an absolute URL that answers with a PNG', async ({ page, request }) => {
  const campaign = await createCampaign(e2eDb(), { signature_count: 42 })
  await page.goto(`/campaigns/${campaign.slug}`)
  await expect(page.locator('meta[name="twitter:card"]')).toHaveAttribute('content', 'summary_large_image')
  const image = await page.locator('meta[property="og:image"]').getAttribute('content')
  expect(image).toMatch(/^https?:\/\//)
  const response = await request.get(image!)
  expect(response.status()).toBe(200)
  expect(response.headers()['content-type']).toBe('image/png')
  expect((await response.body()).subarray(1, 4).toString('latin1')).toBe('PNG')
})

test('the count and the recent signers refresh together while the page is open', async ({ page }) => {
  const campaign = await createCampaign(e2eDb(), { signature_goal: 1000, signature_count: 5 })
  if (javaScriptIsOn()) await page.clock.install()
  await page.goto(`/campaigns/${campaign.slug}`)
  const progress = page.locator('#campaign-progress-label')
  await expect(progress).toContainText('5 signatures of 1,000')
  await expect(page.getByRole('region', { name: 'Recent signers' })).toHaveCount(0)

  // Someone confirms, and the counter folds them in.
  await createSignature(e2eDb(), {
    campaign_id: campaign.id,
    full_name: 'Grace Hopper',
    state: 'confirmed',
    consent_show_name: true,
    confirmed_at: new Date(),
    counted_at: new Date(),
  })
  await e2eDb().updateTable('campaigns').set({ signature_count: 6 }).where('id', '=', campaign.id).execute()

  await expect(async () => {
    // With JavaScript the page refreshes itself every 30 seconds; without, the reader reloads.
    if (javaScriptIsOn()) await page.clock.fastForward(31_000)
    else await page.reload()
    await expect(progress).toContainText('6 signatures of 1,000', { timeout: 1000 })
    await expect(page.getByRole('region', { name: 'Recent signers' })).toContainText('Grace', { timeout: 1000 })
  }).toPass({ timeout: 20_000, intervals: [500, 1000] })
  await expectAxeClean(page)
})
