import { expect, test } from '@playwright/test'
import { createOrganiser, e2eDb, signInThroughMailbox } from './support'

// The server marks every /admin answer `no-store` once, whatever the route says: a shared
// computer's cache or a proxy must never keep an organisation's workspace.
test('an organiser’s workspace pages are never stored by the browser or a proxy', async ({ page }) => {
  const signedOut = await page.request.get('/admin/sign-in')
  expect(signedOut.status()).toBe(200)
  expect(signedOut.headers()['cache-control']).toBe('no-store')
  const redirected = await page.request.get('/admin/members', { maxRedirects: 0 })
  expect(redirected.status()).toBe(302)
  expect(redirected.headers()['cache-control']).toBe('no-store')

  const owner = await createOrganiser(e2eDb(), { role: 'owner' })
  await signInThroughMailbox(page, owner.email)
  for (const path of ['/admin', '/admin/members', '/admin/campaigns/new', '/admin/audit', '/admin.data', '/admin/members.data']) {
    const response = await page.request.get(path, { maxRedirects: 0 })
    expect(response.status(), path).toBe(200)
    expect(response.headers()['cache-control'], path).toBe('no-store')
  }
})
