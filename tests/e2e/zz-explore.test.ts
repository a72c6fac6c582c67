import { expect, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { confirmationLink, e2eDb, signPetition } from './support'

test('explore referrer', async ({ page }) => {
  const campaign = await createCampaign(e2eDb())
  const email = uniqueEmail()
  await signPetition(page, campaign.slug, { fullName: 'Ada Lovelace', email })
  const link = await confirmationLink(page, email)
  const seen: string[] = []
  page.on('request', (r) => { seen.push(`${r.method()} ${r.url()} referer=${r.headers()['referer'] ?? '-'}`) })
  await page.goto(link)
  await page.getByRole('button', { name: 'Confirm my signature' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for signing')
  console.log(test.info().project.name, seen.join('\n'))
  console.log('document.referrer', await page.evaluate(() => document.referrer).catch(() => 'n/a'))
})
