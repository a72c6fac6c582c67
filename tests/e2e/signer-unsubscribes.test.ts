import { expect, test, type Page } from '@playwright/test'
import { emailIndex } from '../../app/models/data-key.server'
import { createCampaignUpdate, startUpdateSend } from '../../app/models/campaign-update.server'
import { countUpdateAudience } from '../../app/models/campaign-update-audience.server'
import { createCampaign, uniqueEmail } from '../support/factories'
import { confirmationLink, e2eDb, expectAxeClean, expectCheckYourEmail, mailboxFor, signaturesOf } from './support'

/** A signer who ticked "Keep me updated" and confirmed: one of the campaign's update audience. */
async function signAndConfirm(page: Page, slug: string, email: string) {
  await page.goto(`/campaigns/${slug}`)
  await page.getByRole('textbox', { name: 'Full name' }).fill('Grace Hopper')
  await page.getByRole('textbox', { name: 'Email address' }).fill(email)
  await page.getByLabel('Country', { exact: true }).selectOption('GB')
  await page.getByRole('checkbox', { name: 'Keep me updated about this campaign' }).check()
  await page.getByRole('button', { name: 'Sign the petition' }).click()
  await expectCheckYourEmail(page, slug)
  await page.goto(await confirmationLink(page, email))
  await page.getByRole('button', { name: 'Confirm my signature' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')
}

/** The campaign sends an update through the updates pipeline (the contract of campaign-update.server.ts). */
async function sendUpdate(campaignId: string, subject: string) {
  await e2eDb()
    .transaction()
    .execute(async (tx) => {
      const { id } = await createCampaignUpdate(tx, {
        campaignId,
        kind: 'update',
        content: [{ locale: 'en', subject, body: 'The minister has agreed to **meet us**.' }],
        createdBy: null,
      })
      await startUpdateSend(tx, id, null)
    })
}

/** The "Unsubscribe" link at the foot of the update email in the development mailbox. */
async function unsubscribeLinkIn(page: Page, email: string, subject: string) {
  const emails = await mailboxFor(page, email, new RegExp(`^${subject}$`))
  const href = await emails.first().getByRole('link', { name: 'Unsubscribe' }).getAttribute('href')
  expect(href).toMatch(/^http:\/\/localhost:\d+\/unsubscribe\/\d+\.[A-Za-z0-9_-]{43}\?lang=en$/)
  return href!
}

test('a signer unsubscribes from a campaign’s updates through the link in an update email', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail('unsubscriber')
  await signAndConfirm(page, campaign.slug, email)
  await expect.poll(() => countUpdateAudience(campaign.id, e2eDb())).toBe(1)

  const subject = `News about ${campaign.slug}`
  await sendUpdate(campaign.id, subject)
  const link = await unsubscribeLinkIn(page, email, subject)

  await page.goto(link)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Stop emails')
  await expect(page.getByRole('radio', { name: `updates about “${campaign.title}”` })).toBeChecked()
  await expect(page.getByRole('group', { name: 'Stop sending me' })).toContainText(campaign.title)
  await expectAxeClean(page)

  await page.getByRole('button', { name: 'Unsubscribe' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are unsubscribed')
  await expect(page.getByText(`You will get no more updates about “${campaign.title}”.`)).toBeVisible()
  await expectAxeClean(page)

  // No longer in the audience, and recorded as a page unsubscribe for this campaign only.
  expect(await countUpdateAudience(campaign.id, e2eDb())).toBe(0)
  const [signature] = await signaturesOf(campaign.id)
  expect(signature!.consent_updates).toBe(false)
  const recorded = await e2eDb()
    .selectFrom('email_unsubscribes')
    .select(['campaign_id', 'source'])
    .where('email_index', '=', await emailIndex(email, e2eDb()))
    .execute()
  expect(recorded).toEqual([{ campaign_id: campaign.id, source: 'page' }])

  // Back to the campaign.
  await page.getByRole('link', { name: `Back to “${campaign.title}”` }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(campaign.title)
})

test('a mail provider unsubscribes a signer in one click; the signer then stops everything from the organisation', async ({ page, request }) => {
  const campaign = await createCampaign(e2eDb())
  const organisation = await e2eDb().selectFrom('organisations').select('name').where('id', '=', campaign.organisation_id).executeTakeFirstOrThrow()
  const email = uniqueEmail('one-click')
  await signAndConfirm(page, campaign.slug, email)
  const subject = `One-click news about ${campaign.slug}`
  await sendUpdate(campaign.id, subject)
  const link = await unsubscribeLinkIn(page, email, subject)

  // RFC 8058: the provider POSTs `List-Unsubscribe=One-Click` to the link, with no cookies or Origin.
  const oneClick = await request.post(link.replace(/\?.*$/, ''), {
    form: { 'List-Unsubscribe': 'One-Click' },
    maxRedirects: 0,
  })
  expect(oneClick.status()).toBe(200)
  expect(await countUpdateAudience(campaign.id, e2eDb())).toBe(0)
  // A forged token changes nothing.
  const forged = await request.post(link.replace(/\.[A-Za-z0-9_-]{43}\?.*$/, `.${'A'.repeat(43)}`), { form: { 'List-Unsubscribe': 'One-Click' } })
  expect(forged.status()).toBe(404)

  // Later the signer opens the link from the email and chooses everything from the organisation.
  await page.goto(link)
  await expect(page.getByText(`You are already unsubscribed from updates about “${campaign.title}”.`)).toBeVisible()
  await page.getByRole('radio', { name: `everything from ${organisation.name} (updates about all its campaigns)` }).check()
  await page.getByRole('button', { name: 'Unsubscribe' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You are unsubscribed')
  await expect(page.getByText(`You will get no more emails from ${organisation.name} about any of its campaigns.`)).toBeVisible()

  const recorded = await e2eDb()
    .selectFrom('email_unsubscribes')
    .select(['campaign_id', 'source'])
    .where('email_index', '=', await emailIndex(email, e2eDb()))
    .orderBy('id')
    .execute()
  expect(recorded).toEqual([
    { campaign_id: campaign.id, source: 'one-click' },
    { campaign_id: null, source: 'page' },
  ])

  // A forged link shows a page that explains, in the reader's language.
  await page.goto(`${link.replace(/\.[A-Za-z0-9_-]{43}\?.*$/, `.${'A'.repeat(43)}`)}?lang=ru`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Эта ссылка для отписки не работает')
  await expectAxeClean(page)
})
