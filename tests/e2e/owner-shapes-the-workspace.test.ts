import { expect, test, type Page } from '@playwright/test'
import { sql } from 'kysely'
import { createCampaign } from '../support/factories'
import { createOrganiser, e2eDb, expectAxeClean, javaScriptIsOn, signInThroughMailbox } from './support'

/** Nothing wider than the screen; on failure, names the elements that stick out. */
async function expectNoSidewaysScroll(page: Page, width: number) {
  const overflow = await page.evaluate((limit) => {
    const wide = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > limit + 1 && !element.closest('.table-scroll'))
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className} (${Math.round(element.getBoundingClientRect().right)})`)
    return { scrollWidth: document.documentElement.scrollWidth, wide }
  }, width)
  expect(overflow.scrollWidth, `${page.url()}: ${overflow.wide.join(', ')}`).toBeLessThanOrEqual(width)
}

for (const viewport of [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
]) {
  test.describe(`at ${viewport.width} px`, () => {
    test.use({ viewport })

    test('an owner sets the organisation’s identity and campaign pages show who is behind them', async ({ page }) => {
      const owner = await createOrganiser(e2eDb(), { role: 'owner' })
      const campaign = await createCampaign(e2eDb(), { organisation_id: owner.organisation.id })
      await signInThroughMailbox(page, owner.email)
      await page.goto('/admin/organisation')
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Organisation')
      await expectAxeClean(page)
      await expectNoSidewaysScroll(page, viewport.width)

      await page.getByLabel('Name', { exact: true }).fill('Voices for Rights')
      await page.getByLabel('Brand colour').fill('#1d4ed8')
      await page.getByLabel('Website').fill('https://voices.example.org')
      await page.getByRole('button', { name: 'Save', exact: true }).click()
      await expect(page.getByText('Saved.')).toBeVisible()

      await page.goto(`/campaigns/${campaign.slug}`)
      await expect(page.locator('.campaign-byline')).toContainText('A campaign by Voices for Rights')
      await expect(page.locator('.campaign-byline').getByRole('link', { name: 'Voices for Rights' })).toHaveAttribute('href', 'https://voices.example.org')
    })

    test('the workspace fits a phone: nav, members, audit, updates, the editor’s save bar and the embed snippet', async ({ page }) => {
      // Five pages, each checked with axe: a long story on a shared machine.
      test.slow()
      const owner = await createOrganiser(e2eDb(), { role: 'owner', email: `owner-with-a-rather-long-address-${Date.now()}@example.org` })
      const campaign = await createCampaign(e2eDb(), { organisation_id: owner.organisation.id })
      // An email the provider refused for good: the dashboard lists it, with the provider's words.
      await sql`insert into email_messages (idempotency_key, recipient, subject, template, locale, transport, status, error, campaign_id)
        values (${`refused/${campaign.id}`}, '', '', 'signature-confirmation', 'en', 'resend', 'failed',
          'Invalid \`to\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.', ${campaign.id})`.execute(
        e2eDb(),
      )
      await signInThroughMailbox(page, owner.email)

      for (const path of ['/admin', '/admin/members', '/admin/audit', `/admin/campaigns/${campaign.id}/updates`, `/admin/campaigns/${campaign.id}/responses`]) {
        await page.goto(path)
        await expect(page.getByRole('navigation', { name: 'Workspace' }).or(page.locator('.admin-nav'))).toBeVisible()
        if (path === '/admin') {
          const refused = page.getByRole('region', { name: 'Emails the provider refused' })
          await expect(refused.getByRole('rowheader', { name: 'Signature confirmation' })).toBeVisible()
          await expect(refused).toContainText('Invalid `to` field')
        }
        await expectNoSidewaysScroll(page, viewport.width)
        await expectAxeClean(page)
      }
      // The audit log's scrolling table can be reached from the keyboard.
      await page.goto('/admin/audit')
      const scroller = page.locator('.table-scroll')
      if ((await scroller.count()) > 0) await expect(scroller).toHaveAttribute('tabindex', '0')

      // Updates: the same header as the other tabs.
      await page.goto(`/admin/campaigns/${campaign.id}/updates`)
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(campaign.title)

      // The dashboard gives the line to paste on a partner's site.
      await page.goto(`/admin/campaigns/${campaign.id}`)
      await expect(page.getByLabel('Snippet to copy')).toHaveValue(new RegExp(`/embed\\.js" data-campaign="${campaign.slug}" async></script>$`))

      // The editor's save button stays in view; leaving with unsaved changes asks first.
      await page.goto(`/admin/campaigns/${campaign.id}/edit`)
      const save = page.locator('.save-bar').getByRole('button', { name: 'Save' })
      await expect(save).toBeInViewport()
      await expectNoSidewaysScroll(page, viewport.width)
      if (javaScriptIsOn()) {
        await page.getByLabel('Summary').fill('A changed summary')
        await expect(page.locator('.save-bar')).toContainText('You have unsaved changes.')
        const dialog = page.waitForEvent('dialog')
        void page.getByRole('navigation', { name: 'Campaign' }).getByRole('link', { name: 'Dashboard' }).click()
        await (await dialog).dismiss()
        await expect(page).toHaveURL(new RegExp(`/admin/campaigns/${campaign.id}/edit$`))
      }
    })
  })
}
