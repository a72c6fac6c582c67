import { expect, test } from '@playwright/test'
import { createOrganiser, e2eDb, expectAxeClean, signInLink } from './support'

test('an organiser signs in through the mailbox, works, signs out, and the link cannot be used again', async ({ page }) => {
  test.slow() // a long story with several emails and accessibility checks
  const organiser = await createOrganiser(e2eDb(), { role: 'owner', name: 'Olga Organiser' })

  // The workspace sends a signed-out visitor to sign in, remembering where they were going.
  await page.goto('/admin/members')
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fadmin%2Fmembers$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in')
  await expectAxeClean(page)

  // A mistyped address is refused, with the value kept.
  await page.getByLabel('Email address').fill('olga-at-example')
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click()
  await expect(page.getByText('Enter an email address like name@example.org').first()).toBeVisible()
  await expect(page.getByLabel('Email address')).toHaveValue('olga-at-example')

  await page.getByLabel('Email address').fill(organiser.email)
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email')
  await expect(page.getByText('If the address you entered belongs to an organiser')).toBeVisible()
  await expectAxeClean(page)

  // The link opens a page with a button: opening it signs nobody in.
  const link = await signInLink(page, organiser.email)
  await page.goto(link)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to Chorus')
  await expectAxeClean(page)
  await page.goto('/admin/members')
  await expect(page).toHaveURL(/\/admin\/sign-in/)

  await page.goto(link)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await expect(page).toHaveURL(/\/admin\/members$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Members')
  await expect(page.getByRole('cell', { name: `Olga Organiser · ${organiser.email} (you)` })).toBeVisible()
  await expectAxeClean(page)

  // The sign-in is in the audit log.
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Audit log' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log')
  await expect(page.getByRole('row').filter({ hasText: 'Signed in' }).filter({ hasText: organiser.email })).toHaveCount(1)
  await expectAxeClean(page)

  // The account page lists this browser's session.
  await page.getByRole('link', { name: 'Account' }).click()
  await expect(page.getByRole('cell', { name: /This browser/ })).toBeVisible()
  await expectAxeClean(page)

  // Sign out: the workspace is closed again.
  await page.getByRole('button', { name: 'Sign out', exact: true }).first().click()
  await expect(page).toHaveURL(/\/admin\/sign-in$/)
  await page.goto('/admin/audit')
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=%2Fadmin%2Faudit$/)

  // The link worked once.
  await page.goto(link)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This sign-in link does not work')
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toHaveCount(0)
})

test('an organiser signs out everywhere from the account page', async ({ page, browser }) => {
  test.slow() // a long story with several emails and accessibility checks
  const organiser = await createOrganiser(e2eDb())
  const { signInThroughMailbox } = await import('./support')
  await signInThroughMailbox(page, organiser.email)
  const other = await browser.newContext({ javaScriptEnabled: test.info().project.use.javaScriptEnabled !== false })
  const otherPage = await other.newPage()
  try {
    await signInThroughMailbox(otherPage, organiser.email)
    await page.goto('/admin/account')
    await expect(page.getByRole('row')).toHaveCount(3) // header + two sessions
    await page.getByRole('button', { name: 'Sign out everywhere' }).click()
    await expect(page).toHaveURL(/\/admin\/sign-in$/)
    await otherPage.goto('/admin/account')
    await expect(otherPage).toHaveURL(/\/admin\/sign-in\?next=/)
  } finally {
    await other.close()
  }
})
