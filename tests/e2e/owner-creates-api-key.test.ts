import { expect, request as playwrightRequest, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, signaturesOf, signInThroughMailbox } from './support'

test('an owner creates an API key, sees it once, a CRM uses it over HTTP, and the owner revokes it', async ({ page, baseURL }) => {
  test.slow() // signs in through the mailbox, and runs axe three times
  const owner = await createOrganiser(e2eDb(), { role: 'owner', name: 'Olga Owner' })
  const campaign = await createCampaign(e2eDb(), { organisation_id: owner.organisation.id, title: 'Keys campaign' })

  await signInThroughMailbox(page, owner.email)
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'API keys' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('API keys')
  await expect(page.getByText('There are no keys yet.')).toBeVisible()
  await expectAxeClean(page)

  // A key without a name is refused, with the reason beside the field.
  await page.getByRole('button', { name: 'Create the key' }).click()
  await expect(page.getByText('Enter a name for the key.').first()).toBeVisible()

  await page.getByLabel('Name').fill('CRM sync')
  await page.getByLabel('Access').selectOption('write')
  await page.getByRole('button', { name: 'Create the key' }).click()
  await expect(page.getByRole('heading', { name: 'Key “CRM sync” created' })).toBeVisible()
  const key = await page.getByLabel('Your new API key').inputValue()
  expect(key).toMatch(/^chorus_[a-z2-7]{10}_[A-Za-z0-9_-]{43}$/)
  const prefix = key.split('_')[1]!
  const row = page.getByRole('row').filter({ hasText: 'CRM sync' })
  await expect(row).toContainText(`chorus_${prefix}_…`)
  await expect(row).toContainText('Read and write')
  await expect(row).toContainText('Never')
  await expectAxeClean(page)

  // Shown once: the next visit lists the key by its prefix, never the secret.
  await page.goto('/admin/api-keys')
  await expect(page.getByRole('row').filter({ hasText: 'CRM sync' })).toBeVisible()
  expect(await page.content()).not.toContain(key)
  await expect(page.getByLabel('Your new API key')).toHaveCount(0)

  // A CRM, over real HTTP (no browser, no Origin, no cookie), reads and records a signature.
  const crm = await playwrightRequest.newContext({ baseURL })
  try {
    const entry = await crm.get('/api/osdi/v1', { headers: { 'OSDI-API-Token': key } })
    expect(entry.status()).toBe(200)
    expect(entry.headers()['content-type']).toBe('application/hal+json; charset=utf-8')
    expect((await entry.json())._links['osdi:petitions'].href).toMatch(/\/api\/osdi\/v1\/petitions$/)
    const elsewhere = await crm.get('/api/osdi/v1/people', { headers: { 'OSDI-API-Token': key } })
    expect(elsewhere.status()).toBe(404)
    expect((await elsewhere.json()).error).toBe('not_found')
    const petition = await crm.get(`/api/osdi/v1/petitions/${campaign.id}`, { headers: { Authorization: `Bearer ${key}` } })
    expect(petition.status()).toBe(200)
    expect((await petition.json()).title).toBe('Keys campaign')

    const email = uniqueEmail('crm')
    const recorded = await crm.post(`/api/osdi/v1/petitions/${campaign.id}/signatures/record_signature_helper`, {
      headers: { 'OSDI-API-Token': key },
      data: { person: { given_name: 'Carla', family_name: 'Relay', email_addresses: [{ address: email }], postal_addresses: [{ country: 'DE' }] } },
    })
    expect(recorded.status()).toBe(201)
    expect((await recorded.json())['chorus:status']).toBe('pending')
    // Action Network's address for the same thing: the duplicate is answered 200.
    const again = await crm.post(`/api/osdi/v1/petitions/${campaign.id}/signatures`, {
      headers: { 'OSDI-API-Token': key },
      data: { person: { given_name: 'Carla', family_name: 'Relay', email_addresses: [{ address: email }], postal_addresses: [{ country: 'DE' }] } },
    })
    expect(again.status()).toBe(200)
    const stored = await signaturesOf(campaign.id)
    expect(stored.map((s) => [s.email, s.state, s.source])).toEqual([[email, 'pending', `api:${prefix}`]])
    const broken = await crm.post(`/api/osdi/v1/petitions/${campaign.id}/signatures/record_signature_helper`, {
      headers: { 'OSDI-API-Token': key, 'Content-Type': 'application/json' },
      data: Buffer.from('{"person":'), // a string would be JSON-encoded (and valid)
    })
    expect(broken.status()).toBe(400)
    expect((await broken.json()).error).toBe('invalid_json')

    // The owner revokes the key; the CRM is refused from then on.
    await page.reload()
    await expect(page.getByRole('row').filter({ hasText: 'CRM sync' })).not.toContainText('Never')
    await page.getByRole('button', { name: 'Revoke the key “CRM sync”' }).click()
    await expect(page.getByText('Key revoked. Requests using it are now refused.')).toBeVisible()
    await expect(page.getByRole('row').filter({ hasText: 'CRM sync' })).toContainText('Revoked on')
    await expectAxeClean(page)
    const refused = await crm.get('/api/osdi/v1', { headers: { 'OSDI-API-Token': key } })
    expect(refused.status()).toBe(401)
    expect((await refused.json()).error).toBe('unauthorized')
  } finally {
    await crm.dispose()
  }

  await page.getByRole('link', { name: 'Audit log' }).click()
  await expect(page.getByRole('row').filter({ hasText: 'Created an API key' })).toContainText('CRM sync')
  await expect(page.getByRole('row').filter({ hasText: 'Revoked an API key' })).toContainText(prefix)
})
