import http from 'node:http'
import type { AddressInfo } from 'node:net'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createAdmin, type TestAdmin } from '../support/admin'
import { createCampaign } from '../support/factories'
import { listRouteFiles, pathFor, routeModulesBuild, type RouteFile } from '../support/route-table'
import { createApp } from '../../server/app'
import { createApiKey } from '~/models/api-key.server'
import { open } from '~/models/data-key.server'
import { createSession } from '~/models/session.server'
import { csrfTokenFor, SESSION_COOKIE } from '~/http/auth.server'
import { readForm, withoutNul } from '~/utils/form.server'
import { getDb } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { stopEventLoopWatchdog } from '~/utils/event-loop.server'

// NUL bytes gave 500s (PostgreSQL refuses 0x00 in text) on the sign form, slugs, the
// APIs and the workspace. Walked here over every route in app/routes, through the real server:
// NUL in each URL parameter, in query strings, and in every form field a route's source names.

const NUL = '\u0000'
const routes = listRouteFiles()
let base = ''
let server: http.Server
let admin: TestAdmin
let apiKey = ''
let values: Record<string, string> = {}

const APP = path.resolve(__dirname, '../../app')
const read = (dir: string) =>
  fs
    .readdirSync(path.join(APP, dir))
    .filter((f) => /\.tsx?$/.test(f) && !f.includes('.test.'))
    .map((f) => fs.readFileSync(path.join(APP, dir, f), 'utf8'))

/** Every form field named anywhere in the app (`name="x"` in markup, `x: z.…` in a schema). */
function allFieldNames(): string[] {
  const fields = new Set<string>()
  for (const source of [...read('routes'), ...read('components'), ...read('models')]) {
    for (const m of source.matchAll(/\bname="([\w.[\]-]+)"/g)) fields.add(m[1]!)
    for (const m of source.matchAll(/(?:^|[{,])\s*'?([A-Za-z]\w*)'?: z\b/gm)) fields.add(m[1]!)
  }
  for (const skip of ['intent', 'csrf', 'website', 'altcha', 'milestones']) fields.delete(skip)
  return [...fields]
}

/** The intents a route's action tells apart (`intent: z.literal('x')`, `name="intent" value="x"`, an enum). */
function intentsOf(route: RouteFile): string[] {
  const imported = [...route.source.matchAll(/from '~\/models\/([\w-]+)'/g)]
    .map((m) => path.join(APP, 'models', `${m[1]}.ts`))
    .filter((file) => fs.existsSync(file))
  const source = [route.source, ...imported.map((file) => fs.readFileSync(file, 'utf8'))].join('\n')
  const intents = new Set<string>([''])
  for (const m of source.matchAll(/intent: z\.literal\('([\w-]+)'\)/g)) intents.add(m[1]!)
  for (const m of source.matchAll(/name="intent" value="([\w-]+)"/g)) intents.add(m[1]!)
  for (const m of source.matchAll(/intent: z\.enum\(\[([^\]]+)\]\)/g)) for (const v of m[1]!.matchAll(/'([\w-]+)'/g)) intents.add(v[1]!)
  return [...intents]
}

/** Values that pass their field's rules once the NUL in them is gone (so the NUL would reach a query). */
const TODAY = new Date().toISOString().slice(0, 10)
/** Fields with a format (choices, numbers, dates, addresses): `n` is where a NUL may go, or ''. */
const SAMPLES: Record<string, (n: string) => string> = {
  role: () => 'campaigner',
  scope: () => 'read',
  method: () => 'in_person',
  frequency: () => 'one_off',
  state: () => 'confirmed',
  kind: () => 'invalidate',
  version: () => '1',
  closesAt: () => '',
  donationCurrency: () => 'GBP',
  postcode: (n) => `SW1${n}A 1AA`,
}

/**
 * A value that passes its field's rules once any NUL in it is gone. With `everywhere`, formatted
 * fields (emails, dates, numbers, choices) carry a NUL too; without, only free text does, which is
 * how a NUL got past every schema to PostgreSQL.
 */
function nulValueFor(field: string, everywhere: boolean): string {
  const n = everywhere ? NUL : ''
  if (field in SAMPLES) return SAMPLES[field]!(n)
  const f = field.toLowerCase()
  if (
    f.includes('consent') ||
    f.includes('accept') ||
    f.startsWith('show') ||
    f.startsWith('remove') ||
    f === 'public' ||
    f === 'confirm' ||
    f.startsWith('milestone')
  )
    return `o${n}n`
  if (f.includes('email') || f === 'to') return `ada${n}@example.org`
  if (f.includes('country')) return `G${n}B`
  if (f.includes('amount') || f.includes('goal') || f.endsWith('id') || f === 'page' || f.includes('threshold') || f.includes('limit')) return `1${n}0`
  if (f.includes('locale') || f === 'lang' || f.includes('language')) return `e${n}n`
  if (f.includes('slug')) return `new-sl${n}ug`
  if (f.includes('url') || f.includes('link')) return `https://exa${n}mple.org/`
  if (f.endsWith('on') || f.includes('date') || f.endsWith('at') || f === 'before' || f === 'after' || f === 'closes')
    return `${TODAY.slice(0, 5)}${n}${TODAY.slice(5)}`
  if (f.includes('colour') || f.includes('color')) return `#12${n}3456`
  return `Ada${NUL} Lovelace said so`
}

function send(method: string, url: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  return new Promise<number>((resolve, reject) => {
    const target = new URL(url, base)
    const request = http.request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method, headers: { Host: 'localhost:3000', ...headers } },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (part: string) => (text += part))
        response.on('end', () => {
          resolve(response.statusCode!)
        })
      },
    )
    request.on('error', reject)
    request.end(body)
  })
}

// Tables are truncated before each test: each test gets its own organisation, campaign and key.
beforeEach(async () => {
  const db = getDb()
  admin = await createAdmin(db)
  const campaign = await createCampaign(db, { organisation_id: admin.organisation.id })
  const key = await createApiKey(admin.context, { name: 'nul key', scope: 'write' })
  if (key.status !== 'created') throw new Error('no key')
  apiKey = key.key
  values = {
    slug: campaign.slug,
    campaignId: campaign.id,
    petitionId: campaign.id,
    organisationId: admin.organisation.id,
  }
})

beforeAll(async () => {
  server = http.createServer(createApp({ env: getEnv(), mode: 'production', build: await routeModulesBuild(routes), pageCache: false }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  stopEventLoopWatchdog()
})

describe('NUL bytes never reach PostgreSQL', () => {
  it('are dropped from form fields and field names by readForm, urlencoded or multipart', async () => {
    const urlencoded = await readForm(
      new Request('http://localhost/', {
        method: 'POST',
        body: 'na%00me=Ada%00+L&source=%00',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    )
    expect([...urlencoded]).toEqual([
      ['name', 'Ada L'],
      ['source', ''],
    ])
    const multipart = new FormData()
    multipart.append('title', `Sa${NUL}ve`)
    multipart.append('image', new Blob([Buffer.from([0x89, 0x00, 0x01])]), 'x.png')
    const read = await readForm(new Request('http://localhost/', { method: 'POST', body: multipart }))
    expect(read.get('title')).toBe('Save')
    expect(Buffer.from(await (read.get('image') as Blob).arrayBuffer())).toEqual(Buffer.from([0x89, 0x00, 0x01]))
    expect(withoutNul('plain')).toBe('plain')
  })

  it('a NUL in a URL parameter or a query string is a 400 on every route', async () => {
    const failures: string[] = []
    for (const route of routes.filter((r) => !r.layout)) {
      for (const param of route.params) {
        const url = pathFor(route, { ...values, [param]: `x${NUL}y` })
        for (const headers of [{} as Record<string, string>, { Cookie: admin.cookie }]) {
          const status = await send('GET', url, undefined, headers)
          if (status !== 400) failures.push(`GET ${url} -> ${status}`)
        }
      }
      const url = `${pathFor(route, values)}?q=a%00b&page=1%00&lang=e%00n&locale=en%00&next=%00&sig=%00&code=%00&to=a%00@b.org&before=%00`
      const status = await send('GET', url, undefined, { Cookie: admin.cookie })
      if (status !== 400) failures.push(`GET ${url} -> ${status}`)
    }
    expect(failures).toEqual([])
  })

  it('NUL in every form field of every route, for each intent, urlencoded and multipart: never a 5xx', async () => {
    const failures: string[] = []
    let posts = 0
    for (const route of routes.filter((r) => !r.layout && !r.id.startsWith('api.osdi'))) {
      const fields = allFieldNames()
      const intents = intentsOf(route)
      const url = pathFor(route, values)
      for (const [intent, everywhere] of intents.flatMap(
        (i) =>
          [
            [i, false],
            [i, true],
          ] as const,
      )) {
        // A fresh session each time: an intent before may have signed this one out.
        const { token, session } = await createSession(getDb(), { userId: admin.user.id, organisationId: admin.organisation.id, userAgent: 'vitest' })
        const signedIn = { Cookie: `${SESSION_COOKIE}=${token}` }
        const csrf = csrfTokenFor(session.id)
        const entries: [string, string][] = [['csrf', csrf], ...(intent ? [['intent', intent] as [string, string]] : [])]
        for (const field of fields) entries.push([field, nulValueFor(field, everywhere)])
        entries.push([`stray${NUL}field`, NUL])
        const urlencoded = new URLSearchParams(entries).toString()
        const multipart = new FormData()
        for (const [key, value] of entries) multipart.append(key, value)
        const encoded = new Response(multipart)
        const multipartBody = Buffer.from(await encoded.arrayBuffer())
        for (const [body, type] of [
          [urlencoded, 'application/x-www-form-urlencoded'],
          [multipartBody, encoded.headers.get('Content-Type')!],
        ] as const) {
          for (const auth of route.id.startsWith('admin') ? [signedIn] : [{}]) {
            const status = await send('POST', url, body, { 'Content-Type': type, Origin: 'http://localhost:3000', ...auth })
            posts++
            if (status >= 500)
              failures.push(`POST ${url} (${route.id}, intent ${intent || 'none'}, ${type.split(';')[0]}${everywhere ? ', NUL everywhere' : ''}) -> ${status}`)
          }
        }
      }
    }
    expect(failures).toEqual([])
    expect(posts).toBeGreaterThan(100)
  }, 90_000)

  it("the OSDI API's bodies: NUL in every string and key, referrer_data included, is cleaned", async () => {
    const person = {
      given_name: `Ad${NUL}a`,
      family_name: `Love${NUL}lace`,
      email_addresses: [{ address: `ada${NUL}@example.org`, primary: true }],
      postal_addresses: [{ postal_code: `SW1${NUL}`, country: `G${NUL}B` }],
      languages_spoken: [`e${NUL}n`],
    }
    const body = JSON.stringify({
      person,
      add_tags: [NUL],
      referrer_data: { source: `news${NUL}letter`, [`web${NUL}site`]: NUL },
      'chorus:consent_updates': true,
    })
    const signed = await send('POST', `/api/osdi/v1/petitions/${values.campaignId}/signatures/record_signature_helper`, body, {
      'OSDI-API-Token': apiKey,
      'Content-Type': 'application/json',
    })
    expect(signed).toBe(201)
    const row = await getDb()
      .selectFrom('signatures')
      .select(['full_name', 'email', 'utm_source'])
      .where('campaign_id', '=', values.campaignId!)
      .executeTakeFirstOrThrow()
    // Names and addresses are sealed at rest: opened to compare.
    expect({ full_name: await open(row.full_name), email: await open(row.email), utm_source: row.utm_source }).toEqual({
      full_name: 'Ada Lovelace',
      email: 'ada@example.org',
      utm_source: 'newsletter',
    })
    for (const route of routes.filter((r) => r.id.startsWith('api.osdi'))) {
      const url = pathFor(route, values)
      for (const method of ['GET', 'POST']) {
        const status = await send(method, url, method === 'POST' ? body : undefined, {
          'OSDI-API-Token': apiKey,
          'Content-Type': 'application/json',
        })
        expect(status, `${method} ${url}`).toBeLessThan(500)
      }
    }
  })
})
