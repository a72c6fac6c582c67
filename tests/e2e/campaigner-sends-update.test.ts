import { recipientIndex } from '../../app/models/data-key.server'
import { expect, test, type Page } from '@playwright/test'
import { sql } from 'kysely'
import { createCampaign } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, javaScriptIsOn, mailboxFor, signInThroughMailbox } from './support'

const SIGNERS = 230

/** A live campaign with SIGNERS confirmed signers who asked for updates, and one who did not. */
async function campaignWithSigners(organisationId: string) {
  const db = e2eDb()
  const campaign = await createCampaign(db, { organisation_id: organisationId, title: `River defenders ${Date.now().toString(36)}` })
  const prefix = `upd-${campaign.id}`
  await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, consent_updates, confirmed_at)
    select ${campaign.id}, 'Signer ' || n, ${prefix} || '-' || n || '@example.org', ${prefix} || '-' || n || '@example.org', 'GB', 'v1', 'confirmed', n <= ${SIGNERS}, now()
    from generate_series(1, ${SIGNERS + 1}) n`.execute(db)
  return { campaign, firstSigner: `${prefix}-1@example.org`, quietSigner: `${prefix}-${SIGNERS + 1}@example.org` }
}

test.beforeEach(() => {
  test.slow()
})

/** Waits for the fan-out to finish: with JavaScript the page refreshes itself; without, the person presses "Refresh". */
async function watchUntilSent(page: Page) {
  const sent = page.getByTestId('progress-sent')
  if (javaScriptIsOn()) {
    await expect(sent).toHaveText(String(SIGNERS), { timeout: 60_000 })
  } else {
    await expect(async () => {
      const refresh = page.getByRole('link', { name: 'Refresh' })
      if (await refresh.isVisible()) await refresh.click()
      else await page.reload()
      await expect(sent).toHaveText(String(SIGNERS), { timeout: 500 })
    }).toPass({ timeout: 60_000, intervals: [500, 1000, 2000] })
  }
  await expect(page.getByTestId('progress-remaining')).toHaveText('0')
  await expect(page.getByTestId('progress-failed')).toHaveText('0')
  await expect(page.getByText(/^Sent on /)).toBeVisible()
  const progress = page.getByRole('progressbar', { name: 'Sending progress' })
  await expect(progress).toHaveAttribute('value', String(SIGNERS))
}

test('a campaigner writes an update, tests it, sends it and watches it go out', async ({ page }) => {
  const organiser = await createOrganiser(e2eDb(), { role: 'campaigner' })
  const { campaign, firstSigner, quietSigner } = await campaignWithSigners(organiser.organisation.id)
  const subject = `We met the minister ${Date.now().toString(36)}`
  await signInThroughMailbox(page, organiser.email, { next: `/admin/campaigns/${campaign.id}/updates` })

  await expect(page.getByText(`An update sent now would reach ${SIGNERS} signers.`)).toBeVisible()
  await page.getByRole('link', { name: 'New update' }).click()

  // Nothing typed: told what is missing.
  await page.getByRole('button', { name: 'Save draft' }).click()
  await expect(page.getByRole('alert').getByRole('link', { name: 'Enter a subject' })).toBeVisible()

  await page.getByLabel('Subject').fill(subject)
  await page.getByLabel('Message').fill('The minister **listened**. Next step: the hearing on 3 December.')
  await expect(page.getByLabel(/Also show this update on the campaign/)).toBeChecked()
  await page.getByRole('button', { name: 'Save draft' }).click()
  await expect(page.getByText('Draft saved.')).toBeVisible()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Update: ${subject}`)

  // The preview of the email as saved, and of text being typed.
  await expect(page.getByTestId('email-preview').locator('strong')).toHaveText('listened')
  await expect(page.getByTestId('email-preview').getByRole('link', { name: 'Unsubscribe' })).toBeVisible()
  await page.getByLabel('Message').fill('The minister **listened** closely.')
  await page.getByRole('button', { name: 'Preview' }).click()
  await expect(page.getByRole('region', { name: /Preview of the text as typed/ }).locator('strong')).toHaveText('listened')
  await page.getByRole('button', { name: 'Save draft' }).click()
  await expect(page.getByText('Draft saved.')).toBeVisible()
  await expectAxeClean(page)

  // A test to oneself first.
  await page.getByRole('button', { name: 'Send me a test' }).click()
  await expect(page.getByText(`Test sent to ${organiser.email}.`)).toBeVisible()
  const tests = await mailboxFor(page, organiser.email, new RegExp(`^\\[Test\\] ${subject}$`))
  await expect(tests.first()).toContainText('listened closely')

  // Sending needs the box ticked.
  await page.goto(`/admin/campaigns/${campaign.id}/updates`)
  await page.getByRole('link', { name: subject }).click()
  await page.getByRole('button', { name: `Send to ${SIGNERS} signers` }).click()
  await expect(page.getByText('Tick the box to confirm you want to send it to every signer')).toBeVisible()
  await page.getByLabel(`I have checked the update and want to send it to ${SIGNERS} signers now.`, { exact: false }).check()
  await page.getByRole('button', { name: `Send to ${SIGNERS} signers` }).click()
  await expect(page.getByText('Sending has started.')).toBeVisible()
  await expect(page.getByRole('heading', { name: 'Progress' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Save draft' })).toHaveCount(0)

  await watchUntilSent(page)
  await expectAxeClean(page)

  // A signer got it, with a way out; the one who did not opt in got nothing.
  const received = await mailboxFor(page, firstSigner, new RegExp(`^${subject}$`))
  await expect(received.first().getByRole('link', { name: 'Unsubscribe' })).toHaveAttribute('href', /\/unsubscribe\/\d+\.[A-Za-z0-9_-]{43}\?lang=en$/)
  const quiet = await e2eDb()
    .selectFrom('email_messages')
    .select('id')
    .where('recipient_index', '=', await recipientIndex(quietSigner, e2eDb()))
    .execute()
  expect(quiet).toHaveLength(0)

  await page.goto(`/admin/campaigns/${campaign.id}/updates`)
  await expect(page.getByRole('row', { name: new RegExp(`${subject} Update Sent ${SIGNERS} 0`) })).toBeVisible()
})
