import zlib from 'node:zlib'
import { expect, test, type APIRequestContext } from '@playwright/test'
import { createCampaign } from '../support/factories'
import { e2eDb } from './support'

/** The campaign page's JavaScript budget on a phone: all of it, gzipped. */
const BUDGET_BYTES = 80 * 1024

/**
 * Every script the page would load: its <script src> and modulepreload links, and what those
 * import statically, followed through the built files. Dynamic imports (the attack-mode widget)
 * load only when needed, so they are not counted.
 */
async function scriptsOf(request: APIRequestContext, pageUrl: string, html: string) {
  const pending = [
    ...[...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!),
    ...[...html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!),
  ].map((src) => new URL(src, pageUrl).href)
  const seen = new Map<string, Buffer>()
  while (pending.length > 0) {
    const url = pending.pop()!
    if (seen.has(url)) continue
    const response = await request.get(url, { headers: { 'Accept-Encoding': 'identity' } })
    expect(response.status(), url).toBe(200)
    const body = await response.body()
    seen.set(url, body)
    const source = body.toString('utf8')
    for (const match of source.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g)) {
      pending.push(new URL(match[1]!, url).href)
    }
  }
  return seen
}

const gzipped = (body: Buffer) => zlib.gzipSync(body, { level: 9 }).length

test('the campaign page loads at most 80 KB of JavaScript, gzipped', async ({ request, baseURL }) => {
  const campaign = await createCampaign(e2eDb())
  const pageUrl = `${baseURL}/campaigns/${campaign.slug}`
  const html = await (await request.get(pageUrl)).text()
  const scripts = await scriptsOf(request, pageUrl, html)
  expect(scripts.size).toBeGreaterThan(0)
  const sizes = [...scripts].map(([url, body]) => ({ url, gzip: gzipped(body) }))
  const total = sizes.reduce((sum, s) => sum + s.gzip, 0)
  expect(total, JSON.stringify(sizes, null, 2)).toBeLessThanOrEqual(BUDGET_BYTES)
})

test('a public page carries only its own language’s public messages, never the workspace’s', async ({ request }) => {
  const campaign = await createCampaign(e2eDb())
  // The thank-you page runs React: its messages travel in the page.
  const html = await (await request.get(`/campaigns/${campaign.slug}/thank-you?lang=ru`)).text()
  expect(html).toContain('thanks.title')
  expect(html).not.toContain('Thank you for signing')
  expect(html).not.toContain('admin.nav.campaigns')
  expect(html).not.toContain('email.confirm')
})
