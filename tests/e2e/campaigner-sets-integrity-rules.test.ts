import { expect, test } from '@playwright/test'
import { createCampaign } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, signInThroughMailbox } from './support'

test('a campaigner tightens the integrity rules for one campaign, then returns one to its default', async ({ page }) => {
  const organiser = await createOrganiser(e2eDb(), { role: 'campaigner' })
  const db = e2eDb()
  const campaign = await createCampaign(db, { organisation_id: organiser.organisation.id })
  const rules = () =>
    db
      .selectFrom('campaigns')
      .select(['integrity_domain_hourly_limit', 'integrity_address_hourly_limit', 'integrity_hold_disposable'])
      .where('id', '=', campaign.id)
      .executeTakeFirstOrThrow()

  await signInThroughMailbox(page, organiser.email, { next: `/admin/campaigns/${campaign.id}/integrity` })
  const section = page.getByRole('region', { name: 'Rules for this campaign' })
  const domainLimit = section.getByLabel('Signatures an hour from one email domain before holding')
  const addressLimit = section.getByLabel('Signatures an hour from one client address before holding')
  await expect(domainLimit).toHaveAccessibleDescription(/^Default: [\d,]+\. Large mail providers/)
  await expect(domainLimit).toHaveValue('')
  await expectAxeClean(page)

  await domainLimit.fill('3')
  await addressLimit.fill('2')
  await section.getByLabel('Hold disposable addresses').selectOption('off')
  await section.getByRole('button', { name: 'Save the rules' }).click()
  await expect(page.getByText('The rules are saved.')).toBeVisible()
  expect(await rules()).toEqual({ integrity_domain_hourly_limit: 3, integrity_address_hourly_limit: 2, integrity_hold_disposable: false })

  // The form shows what is saved; an emptied field goes back to the default.
  await page.goto(`/admin/campaigns/${campaign.id}/integrity`)
  await expect(page.getByText('The rules are saved.')).toHaveCount(0)
  await expect(domainLimit).toHaveValue('3')
  await expect(section.getByLabel('Hold disposable addresses')).toHaveValue('off')
  await addressLimit.fill('')
  await section.getByLabel('Hold disposable addresses').selectOption('default')
  await section.getByRole('button', { name: 'Save the rules' }).click()
  await expect(page.getByText('The rules are saved.')).toBeVisible()
  expect(await rules()).toEqual({ integrity_domain_hourly_limit: 3, integrity_address_hourly_limit: null, integrity_hold_disposable: null })
  await expectAxeClean(page)
})
