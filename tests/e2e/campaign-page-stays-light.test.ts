import zlib from 'node:zlib'
import { expect, test, type APIRequestContext } from '@playwright/test'
import { createCampaign, uniqueEmail } from '../support/factories'
import { e2eDb, fillSignForm, javaScriptIsOn } from './support'

/** The campaign page's JavaScript budget on a phone: all of it, gzipped. */
const BUDGET_BYTES = 80 * 1024

/**
 * Every script the page would load: its <script src> and modulepreload links, and what those
 * import statically, followed through the built files. Dynamic imports (the attack-mode widget)
 * load only when needed: the attack-mode test below counts them as a browser loads them.
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

test('in attack mode the page, the proof-of-work widget and its solver stay within 80 KB gzipped', async ({ page, baseURL }) => {
  test.slow()
  const campaign = await createCampaign(e2eDb(), { attack_mode_started_at: new Date(), attack_mode_origin: 'manual' })
  // Every script the browser fetches, the solver's worker included, as it arrives.
  const scripts = new Map<string, number>()
  const counting: Promise<void>[] = []
  page.context().on('response', (response) => {
    const url = response.url()
    if (!url.startsWith(baseURL!) || !/\.m?js(\?|$)/.test(new URL(url).pathname)) return
    counting.push(response.body().then((body) => void scripts.set(url, gzipped(body))))
  })
  await page.goto(`/campaigns/${campaign.slug}`)
  // Reading the page loads no widget; starting on the form does.
  await fillSignForm(page, { fullName: 'Ada Lovelace', email: uniqueEmail(), country: 'GB' })
  const challenge = page.locator('input[name="altcha"]')
  if (javaScriptIsOn()) {
    await expect.poll(async () => ((await challenge.count()) > 0 ? await challenge.inputValue() : ''), { timeout: 30_000 }).not.toBe('')
    await Promise.all(counting)
    const urls = [...scripts.keys()].map((url) => new URL(url).pathname)
    // The page's own script, the widget and the solver's worker, all content-hashed.
    expect(urls).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/assets\/campaign-page-[\w-]+\.js$/), expect.stringMatching(/^\/assets\/sign-challenge-[\w-]+\.js$/)]),
    )
    expect(urls.filter((url) => !url.startsWith('/assets/'))).toEqual([])
    // No React: the page does not hydrate in attack mode either.
    expect(urls.some((url) => /entry\.client|components-|root-/.test(url))).toBe(false)
  } else {
    await expect(challenge).toHaveCount(0)
    await Promise.all(counting)
    expect(scripts.size).toBe(0)
  }
  const total = [...scripts.values()].reduce((sum, size) => sum + size, 0)
  expect(total, JSON.stringify(Object.fromEntries(scripts), null, 2)).toBeLessThanOrEqual(BUDGET_BYTES)
})

test('the page’s script has a content-hashed, immutable address; /embed.js keeps its own, briefly cached', async ({ request }) => {
  const campaign = await createCampaign(e2eDb())
  for (const path of [`/campaigns/${campaign.slug}`, `/campaigns/${campaign.slug}/embed`]) {
    const html = await (await request.get(path)).text()
    const sources = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!)
    expect(sources, path).toEqual([expect.stringMatching(/^\/assets\/campaign-page-[\w-]+\.js$/)])
    const script = await request.get(sources[0]!)
    expect(script.status()).toBe(200)
    expect(script.headers()['cache-control']).toBe('public, max-age=31536000, immutable')
  }
  // The old unhashed address is gone: nothing can run a stale copy for an hour after a deploy.
  expect((await request.get('/campaign-page.js')).status()).toBe(404)

  // Partners paste /embed.js: its address never changes, so it is cached for an hour only and
  // revalidated cheaply; what it loads (the framed page and its script) is hashed.
  const embed = await request.get('/embed.js')
  expect(embed.status()).toBe(200)
  expect(embed.headers()['cache-control']).toBe('public, max-age=3600')
  expect(embed.headers()['etag']).toBeTruthy()
  const body = await embed.body()
  expect(gzipped(body)).toBeLessThan(2 * 1024)
  const revalidated = await request.get('/embed.js', { headers: { 'If-None-Match': embed.headers()['etag']! } })
  expect(revalidated.status()).toBe(304)
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
