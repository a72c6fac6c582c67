import { expect, test } from '@playwright/test'
import { createCampaign } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, signInThroughMailbox } from './support'

// Signing in goes through the mailbox (an email job): give the story room on a busy machine.
test.beforeEach(() => {
  test.slow()
})

test('a campaigner records the authority’s response and it appears on the campaign page', async ({ page }) => {
  const organiser = await createOrganiser(e2eDb(), { role: 'campaigner' })
  const campaign = await createCampaign(e2eDb(), { organisation_id: organiser.organisation.id, target_name: 'The Minister of Justice' })
  await signInThroughMailbox(page, organiser.email, { next: `/admin/campaigns/${campaign.id}` })

  await page.getByRole('navigation', { name: 'Campaign' }).getByRole('link', { name: 'Responses' }).click()
  await expect(page.getByRole('heading', { level: 2, name: 'Responses', exact: true })).toBeVisible()
  await expect(page.getByText('No response has been recorded yet.')).toBeVisible()
  await expectAxeClean(page)

  // A source that is not https is refused, with the message beside the field and in the summary.
  const form = page.getByRole('form', { name: 'Record a response' })
  await form.getByLabel('Date of the response').fill('2026-03-12')
  await form.getByLabel('What they said').fill('We will review every case.\nA decision follows in April.')
  await form.getByLabel(/Source link/).fill('http://gov.example/statement')
  await form.getByRole('button', { name: 'Record the response' }).click()
  await expect(form.getByRole('alert')).toContainText('Enter a link that starts with https://, or leave it empty.')
  await expectAxeClean(page)

  await form.getByLabel(/Source link/).fill('https://gov.example/statement')
  await form.getByRole('button', { name: 'Record the response' }).click()
  await expect(page.getByText('The response was recorded.')).toBeVisible()
  const recorded = page.getByRole('region', { name: 'Recorded responses' }).getByRole('listitem')
  await expect(recorded).toHaveCount(1)
  await expect(recorded).toContainText('We will review every case.')
  await expect(recorded.getByRole('button', { name: 'Write an update about the response of March 12, 2026' })).toBeVisible()
  await expectAxeClean(page)

  // The public page: the latest response up top, and the same on the timeline.
  await page.goto(`/campaigns/${campaign.slug}`)
  const latest = page.getByRole('region', { name: 'The latest response' })
  await expect(latest).toContainText('The Minister of Justice responded:')
  await expect(latest.locator('time[datetime="2026-03-12"]')).toHaveText('March 12, 2026')
  await expect(latest).toContainText('A decision follows in April.')
  await expect(latest.getByRole('link', { name: 'Read the response at its source' })).toHaveAttribute('href', 'https://gov.example/statement')
  const timeline = page.getByRole('region', { name: 'What has happened' }).getByRole('list')
  await expect(timeline.getByRole('listitem')).toHaveCount(1)
  await expect(timeline.getByRole('listitem')).toContainText('Response')
  await expect(timeline.getByRole('heading', { level: 3 })).toHaveText('The Minister of Justice responded')
  await expectAxeClean(page)

  // In Russian, the labels are translated.
  await page.goto(`/campaigns/${campaign.slug}?lang=ru`)
  await expect(page.getByRole('region', { name: 'Последний ответ' })).toBeVisible()
  await expect(page.getByRole('region', { name: 'Что произошло' }).locator('time[datetime="2026-03-12"]')).toHaveText('12 марта 2026 г.')

  // Back in the workspace (in English again): an update about the response is drafted and opened on the updates page.
  await page.goto(`/admin/campaigns/${campaign.id}/responses?lang=en`)
  await page.getByRole('button', { name: 'Write an update about the response of March 12, 2026' }).click()
  await expect(page).toHaveURL(new RegExp(`/admin/campaigns/${campaign.id}/updates/\\d+$`))
  const updateUrl = page.url()
  await page.goto(`/admin/campaigns/${campaign.id}/responses`)
  await expect(page.getByRole('link', { name: 'Open the update about this response' })).toHaveAttribute('href', new URL(updateUrl).pathname)
})
