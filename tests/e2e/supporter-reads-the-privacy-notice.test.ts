import crypto from 'node:crypto'
import { expect, test } from '@playwright/test'
import { createCampaign } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, signInThroughMailbox } from './support'

// The organisation's privacy notice beside the sign form (decision 0047), read on a phone.

/** An API key as the workspace makes one, straight into the database (its secret is never needed here). */
async function addApiKey(organisationId: string, name: string, crmSync: boolean) {
  await e2eDb()
    .insertInto('api_keys')
    .values({
      organisation_id: organisationId,
      name,
      prefix: crypto.randomBytes(5).toString('hex'),
      key_hash: crypto.randomBytes(32),
      scope: 'read',
      crm_sync: crmSync,
    })
    .execute()
}

test.describe('on a 390 px phone', () => {
  test.use({ viewport: { width: 390, height: 844 } })

  test('a supporter follows the privacy link beside the sign form and reads who holds their data, for how long, and how to erase it', async ({ page }) => {
    const owner = await createOrganiser(e2eDb(), { role: 'owner' })
    const organisationName = `Rainbow Rights ${owner.organisation.id}`
    await e2eDb()
      .updateTable('organisations')
      .set({ name: organisationName, contact_email: 'privacy@rainbow.example', website_url: 'https://rainbow.example/' })
      .where('id', '=', owner.organisation.id)
      .execute()
    await addApiKey(owner.organisation.id, 'Supporter CRM', true)
    await addApiKey(owner.organisation.id, 'Reporting dashboard', false)
    const campaign = await createCampaign(e2eDb(), { organisation_id: owner.organisation.id, title: 'Stand with them' })

    await page.goto(`/campaigns/${campaign.slug}`)
    const form = page.locator('form#sign')
    await form.getByRole('link', { name: 'Read the privacy notice' }).click()
    await expect(page).toHaveURL(new RegExp(`/campaigns/${campaign.slug}/privacy$`))
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Privacy notice of ${organisationName}`)
    await expect(page.getByText(`When you sign “Stand with them”, ${organisationName} holds the details you give.`)).toBeVisible()

    // How to reach them.
    await expect(page.getByRole('link', { name: 'privacy@rainbow.example' })).toHaveAttribute('href', 'mailto:privacy@rainbow.example')
    await expect(page.getByRole('link', { name: 'https://rainbow.example/' })).toHaveAttribute('href', 'https://rainbow.example/')
    // How long each kind of data is kept (the defaults).
    await expect(page.getByText('Your name, email address and postcode: until 6 months after the campaign closes, then erased.')).toBeVisible()
    await expect(page.getByText('A signature you never confirmed by email: erased after 30 days.')).toBeVisible()
    await expect(page.getByText('your name and email address are kept for 7 years after the gift')).toBeVisible()
    await expect(page.getByText('erased after 30 days.').last()).toBeVisible()
    // Which systems receive signers' details, and which get email addresses.
    const systems = page.getByRole('list', { name: 'Which systems receive your details' })
    await expect(systems.getByRole('listitem')).toHaveText([
      'Supporter CRM: your email address, country and postcode, and your name only if you agreed to show it (it keeps the supporter list: CRM sync)',
      'Reporting dashboard: your country and postcode, and your name only if you agreed to show it; never your email address',
    ])
    // API keys get a name only when the signer agreed to show it, as the campaign page and the delivered list do.
    await expect(
      page.getByText(
        'These systems receive your name only if you ticked the box to show your name; otherwise they get your signature without it. Only the systems marked CRM sync receive email addresses.',
      ),
    ).toBeVisible()
    await expect(page.getByText('delivered to the people the petition addresses, only if you ticked the box to show your name')).toBeVisible()
    await expectAxeClean(page)
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(sideways).toBeLessThanOrEqual(390)

    // The way to see or erase their data.
    await page.getByRole('link', { name: 'See or erase your data' }).click()
    await expect(page).toHaveURL(/\/my-data$/)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your data')
    await expect(page.getByRole('button', { name: 'Email me a link' })).toBeVisible()

    // In Russian, with Russian plural forms.
    await page.goto(`/campaigns/${campaign.slug}/privacy?lang=ru`)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Политика конфиденциальности: ${organisationName}`)
    await expect(page.getByText('6 месяцев после завершения кампании')).toBeVisible()
    await expect(page.getByRole('link', { name: 'Посмотреть или удалить свои данные' })).toHaveAttribute('href', '/my-data')
  })

  test('the sign form embedded on a partner site links to the same notice, opening outside the frame', async ({ page }) => {
    const campaign = await createCampaign(e2eDb(), { title: 'Embedded petition' })
    await page.goto(`/campaigns/${campaign.slug}/embed?lang=en`)
    const link = page.getByRole('link', { name: /Read the privacy notice/ })
    await expect(link).toHaveAttribute('href', `/campaigns/${campaign.slug}/privacy?lang=en`)
    await expect(link).toHaveAttribute('target', '_blank')
    await page.goto((await link.getAttribute('href'))!)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Privacy notice of /)
    await expect(page.getByText('has no API keys that can read signatures')).toBeVisible()
  })

  test('an owner shortens how long signers’ details are kept and the notice says so', async ({ page }) => {
    test.slow() // signs in through the mailbox
    const owner = await createOrganiser(e2eDb(), { role: 'owner' })
    const campaign = await createCampaign(e2eDb(), { organisation_id: owner.organisation.id })
    await signInThroughMailbox(page, owner.email)
    await page.goto('/admin/organisation')
    const retention = page.getByRole('group', { name: 'Data retention' })
    const months = retention.getByLabel('Signers’ name, email and postcode (months after the campaign closes)')
    await expect(months).toHaveValue('6')

    // Out of range: refused, with the reason beside the field.
    await months.fill('0')
    await page.getByRole('button', { name: 'Save retention periods' }).click()
    await expect(page.locator(`#${await months.getAttribute('id')}-error`)).toHaveText('Enter a whole number of months from 1 to 120')
    await expect(page.locator('.error-summary').filter({ hasText: 'There is a problem' })).toContainText('Enter a whole number of months from 1 to 120')
    await expectAxeClean(page)

    await months.fill('9')
    await retention.getByLabel('Unconfirmed signatures (days)').fill('14')
    await page.getByRole('button', { name: 'Save retention periods' }).click()
    await expect(page.getByText('Retention periods saved.')).toBeVisible()
    await expect(months).toHaveValue('9')

    await page.goto(`/campaigns/${campaign.slug}`)
    await page.locator('form#sign').getByRole('link', { name: 'Read the privacy notice' }).click()
    await expect(page.getByText('Your name, email address and postcode: until 9 months after the campaign closes, then erased.')).toBeVisible()
    await expect(page.getByText('A signature you never confirmed by email: erased after 14 days.')).toBeVisible()

    // A key made for the CRM, with the box ticked, is named on the notice as receiving addresses.
    await page.goto('/admin/api-keys')
    await page.getByLabel('Name', { exact: true }).fill('Supporter CRM')
    await page.getByLabel('CRM sync: this key receives signers’ email addresses').check()
    await page.getByRole('button', { name: 'Create the key' }).click()
    await expect(page.getByRole('heading', { name: 'Key “Supporter CRM” created' })).toBeVisible()
    await expect(page.getByRole('row').filter({ hasText: 'Supporter CRM' })).toContainText('Received (CRM sync)')
    // Another address than the visit above: public pages may be cached for a few seconds.
    await page.goto(`/campaigns/${campaign.slug}/privacy?lang=en`)
    await expect(page.getByRole('list', { name: 'Which systems receive your details' }).getByRole('listitem')).toHaveText([
      'Supporter CRM: your email address, country and postcode, and your name only if you agreed to show it (it keeps the supporter list: CRM sync)',
    ])

    await page.goto('/admin/audit')
    await expect(page.getByRole('row').filter({ hasText: 'Changed how long supporters’ details are kept' })).toBeVisible()
  })
})
