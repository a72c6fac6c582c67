import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { CONFIRM_SUBJECT, e2eDb, expectAxeClean, fillSignForm, javaScriptIsOn, mailboxFor, signaturesOf } from './support'

/**
 * A partner's site on another origin (127.0.0.1 rather than localhost, its own port), with a
 * strict Content-Security-Policy of its own that allows only our origin: nothing inline.
 */
async function startPartnerSite(appOrigin: string, body: string) {
  const server = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.setHeader('Content-Security-Policy', `default-src 'none'; script-src ${appOrigin}; frame-src ${appOrigin}; style-src 'none'`)
    res.end(`<!doctype html><html lang="en"><head><title>Partner</title></head><body><main><h1>Our partner page</h1>${body}</main></body></html>`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/`, host: `127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) }
}

for (const viewport of [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
]) {
  test.describe(`at ${viewport.width} px`, () => {
    test.use({ viewport })

    test('a supporter signs in the form embedded on a partner site, and the frame fits its content', async ({ page, baseURL }) => {
      const campaign = await createCampaign(e2eDb(), { signature_count: 12, signature_goal: 100 })
      const appOrigin = new URL(baseURL!).origin
      // With JavaScript the partner pastes the script; without, the plain iframe it inserts.
      const partner = await startPartnerSite(
        appOrigin,
        javaScriptIsOn()
          ? `<script src="${appOrigin}/embed.js" data-campaign="${campaign.slug}" async></script>`
          : `<iframe src="${appOrigin}/campaigns/${campaign.slug}/embed" title="Sign the petition" width="600" height="1400"></iframe>`,
      )
      try {
        const errors: string[] = []
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(message.text())
        })
        await page.goto(partner.url)
        const iframe = page.locator('iframe')
        const frame = page.frameLocator('iframe')
        await expect(frame.getByRole('heading', { level: 1 })).toHaveText(campaign.title)
        await expect(frame.locator('#embed-progress-label')).toContainText('12 signatures of 100')

        if (javaScriptIsOn()) {
          // embed.js sized the frame to the form (its own default is 40rem).
          await expect.poll(async () => (await iframe.boundingBox())!.height).toBeGreaterThan(700)
        }
        const formHeight = (await iframe.boundingBox())!.height

        const email = uniqueEmail('embedded')
        await fillSignForm(frame as unknown as Parameters<typeof fillSignForm>[0], { fullName: 'Ada Partner', email, country: 'GB' })
        await frame.getByRole('button', { name: 'Sign the petition' }).click()
        await expect(frame.getByRole('heading', { name: 'Check your email' })).toBeVisible()
        if (javaScriptIsOn()) {
          // The confirmation is shorter than the form: the frame shrinks with it.
          await expect.poll(async () => (await iframe.boundingBox())!.height).toBeLessThan(formHeight - 100)
        }

        // The same confirmation flow, with the partner recorded as the source.
        await expect.poll(async () => (await signaturesOf(campaign.id)).length).toBe(1)
        const [signature] = await signaturesOf(campaign.id)
        expect(signature).toMatchObject({ email, state: 'pending', source: `embed:${partner.host}` })
        await mailboxFor(page, email, CONFIRM_SUBJECT)
        expect(errors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([])
      } finally {
        await partner.close()
      }
    })

    test('the embed page is clean for assistive technology', async ({ page }) => {
      const campaign = await createCampaign(e2eDb())
      await page.goto(`/campaigns/${campaign.slug}/embed?partner=example.org`)
      await expect(page.getByRole('button', { name: 'Sign the petition' })).toBeVisible()
      await expect(page.locator('.site-header')).toHaveCount(0)
      await expectAxeClean(page)
      await page.getByRole('button', { name: 'Sign the petition' }).click()
      await expect(page.getByRole('alert').getByRole('heading', { name: 'There is a problem' })).toBeVisible()
      await expectAxeClean(page)
    })
  })
}

test('only the embed may be framed, by any site; every other page refuses', async ({ request }) => {
  const campaign = await createCampaign(e2eDb())
  const embed = await request.get(`/campaigns/${campaign.slug}/embed`)
  expect(embed.headers()['content-security-policy']).toContain('frame-ancestors *')
  expect(embed.headers()['x-frame-options']).toBeUndefined()
  for (const path of [`/campaigns/${campaign.slug}`, `/campaigns/${campaign.slug}/check-your-email`, '/']) {
    const response = await request.get(path)
    expect(response.headers()['content-security-policy'], path).toContain("frame-ancestors 'none'")
    expect(response.headers()['x-frame-options'], path).toBe('DENY')
  }
  const script = await request.get('/embed.js')
  expect(script.status()).toBe(200)
  expect(script.headers()['content-type']).toMatch(/javascript/)
})
