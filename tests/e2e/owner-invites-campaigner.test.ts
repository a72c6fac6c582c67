import { expect, test } from '@playwright/test'
import { uniqueEmail } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, INVITATION_SUBJECT, javaScriptIsOn, mailboxFor, signInThroughMailbox } from './support'

test('an owner invites a campaigner, who accepts from the mailbox and works with campaigner rights', async ({ page, browser }) => {
  test.slow() // a long story with several emails and accessibility checks
  const owner = await createOrganiser(e2eDb(), { role: 'owner', name: 'Olga Owner' })
  const campaignerEmail = uniqueEmail('campaigner')

  await signInThroughMailbox(page, owner.email)
  await page.getByRole('link', { name: 'Members' }).click()
  await page.getByLabel('Email address').fill(campaignerEmail)
  await page.getByLabel('Role', { exact: true }).selectOption('campaigner')
  await page.getByRole('button', { name: 'Send the invitation' }).click()
  await expect(page.getByText('Invitation sent.')).toBeVisible()
  const pending = page.getByRole('region', { name: 'Pending invitations' })
  await expect(pending.getByRole('row').filter({ hasText: campaignerEmail }).getByRole('cell').nth(1)).toHaveText('Campaigner')
  await expectAxeClean(page)

  // The campaigner, in their own browser, opens the invitation from their mailbox.
  const theirs = await browser.newContext({ javaScriptEnabled: javaScriptIsOn() })
  const campaigner = await theirs.newPage()
  try {
    const emails = await mailboxFor(campaigner, campaignerEmail, INVITATION_SUBJECT)
    await expect(emails.first()).toContainText(`Olga Owner invited you to work on the campaigns of ${owner.organisation.name} as: Campaigner.`)
    const href = await emails.first().getByRole('link', { name: 'Accept the invitation' }).getAttribute('href')
    expect(href).toMatch(/\/admin\/invitations\/[A-Za-z0-9_-]{20,}\?lang=en$/)
    await campaigner.goto(href!)
    await expect(campaigner.getByRole('heading', { level: 1 })).toHaveText(`Join ${owner.organisation.name}`)
    await expect(campaigner.getByText(`This invitation is for ${campaignerEmail}.`)).toBeVisible()
    await expectAxeClean(campaigner)
    await campaigner.getByRole('button', { name: 'Accept and sign in' }).click()

    // Signed in with campaigner rights: campaigns, but neither members nor the audit log.
    await expect(campaigner).toHaveURL(/\/admin$/)
    await expect(campaigner.getByText(`Signed in as ${campaignerEmail} · ${owner.organisation.name} (Campaigner)`)).toBeVisible()
    const nav = campaigner.getByRole('navigation', { name: 'Workspace' })
    await expect(nav.getByRole('link', { name: 'Campaigns' })).toBeVisible()
    await expect(nav.getByRole('link', { name: 'Members' })).toHaveCount(0)
    await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0)
    const members = await campaigner.goto('/admin/members')
    expect(members?.status()).toBe(403)

    // The invitation worked once.
    await campaigner.goto(href!)
    await expect(campaigner.getByRole('heading', { level: 1 })).toHaveText('This invitation does not work')
  } finally {
    await theirs.close()
  }

  // The owner sees the new member and the change in the audit log.
  await page.goto('/admin/members')
  await expect(page.getByRole('row').filter({ hasText: campaignerEmail }).getByRole('cell').nth(1)).toHaveText('Campaigner')
  await expect(page.getByText('No invitations are waiting.')).toBeVisible()
  await page.getByRole('link', { name: 'Audit log' }).click()
  await expect(page.getByRole('row').filter({ hasText: 'Accepted an invitation' })).toContainText(campaignerEmail)
  await expect(page.getByRole('row').filter({ hasText: 'Invited a member' })).toContainText(`role: campaigner`)
  await expectAxeClean(page)
})
