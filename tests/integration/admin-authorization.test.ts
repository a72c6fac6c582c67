import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createAdmin, type TestAdmin } from '../support/admin'
import { createCampaign, createSignature } from '../support/factories'
import { callRoute } from '../support/routes'
import { recordAudit } from '~/models/audit.server'
import { createCampaignUpdate } from '~/models/campaign-update.server'
import { getDb } from '~/utils/db.server'
import { generateToken, hashToken } from '~/utils/security.server'

/*
 * Every module in app/routes whose name starts with `admin.` or `admin_` is checked here, so a new
 * admin route is covered without editing this file (decision 0006):
 *   (a) anonymous loaders and actions are sent to /admin/sign-in (unless handle.adminPublic);
 *   (b) a viewer's actions are refused with 403 and change no row (handle.adminSelfService
 *       routes: no row but the viewer's own sessions and the audit log), and no loader shows a
 *       viewer a supporter's name or email;
 *   (c) a member of another organisation gets 404 from every loader and action addressed by id,
 *       and sees none of the organisation's data anywhere.
 * Route params are filled from FIXTURES; a param without one fails, asking for a fixture.
 */

const ROUTES_DIR = path.resolve('app/routes')

interface RouteModule {
  loader?: (args: any) => Promise<unknown>
  action?: (args: any) => Promise<unknown>
  handle?: { adminPublic?: boolean; adminSelfService?: boolean }
}

interface AdminRoute {
  file: string
  module: RouteModule
  /** The URL pattern, e.g. /admin/campaigns/:campaignId/edit */
  pattern: string
  params: string[]
  /** Intents the module's forms and schemas name, so actions get well-formed bodies. */
  intents: string[]
}

/** Remix flat-route file name → URL pattern. */
function patternOf(file: string): string {
  const base = file.replace(/\/route\.tsx?$/, '').replace(/\.tsx?$/, '')
  const segments = base
    .split('.')
    .filter((s) => s !== '_index' && !/^_/.test(s))
    .map((s) => s.replace(/_$/, ''))
    .map((s) => (s === '$' ? ':*' : s.startsWith('$') ? `:${s.slice(1)}` : s))
  return `/${segments.join('/')}`
}

function intentsIn(source: string): string[] {
  const found = new Set<string>()
  for (const m of source.matchAll(/z\.literal\(\s*['"]([\w-]+)['"]\s*\)/g)) found.add(m[1]!)
  for (const m of source.matchAll(/name=["']intent["'][^>]*?value=["']([\w-]+)["']/g)) found.add(m[1]!)
  for (const m of source.matchAll(/value=["']([\w-]+)["'][^>]*?name=["']intent["']/g)) found.add(m[1]!)
  return [...found]
}

const entries = fs
  .readdirSync(ROUTES_DIR, { withFileTypes: true })
  .filter((e) => /^admin[._]/.test(e.name) || e.name === 'admin.tsx')
  .flatMap((e) => {
    if (e.isDirectory()) {
      const inner = ['route.tsx', 'route.ts'].find((f) => fs.existsSync(path.join(ROUTES_DIR, e.name, f)))
      return inner ? [`${e.name}/${inner}`] : []
    }
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [e.name] : []
  })
  .sort()

const routes: AdminRoute[] = await Promise.all(
  entries.map(async (file) => {
    const full = path.join(ROUTES_DIR, file)
    const module = (await import(pathToFileURL(full).href)) as RouteModule
    const pattern = patternOf(file)
    return {
      file,
      module,
      pattern,
      params: [...pattern.matchAll(/:([\w*]+)/g)].map((m) => m[1]!),
      intents: intentsIn(fs.readFileSync(full, 'utf8')),
    }
  }),
)

// ---------------------------------------------------------------------------------------------
// The world: organisation A (owner, campaigner, viewer, campaigns, supporters, an invitation)
// and organisation B, whose owner tries to reach A's things.

const SUPPORTER = { full_name: 'Zebedee Quillfeather', email: 'zebedee.quillfeather@example.org' }
const PENDING_SUPPORTER = { full_name: 'Ottoline Brackenbury', email: 'ottoline.brackenbury@example.org' }
const SECRET_TEXT = [SUPPORTER.full_name, SUPPORTER.email, 'Quillfeather', PENDING_SUPPORTER.full_name, PENDING_SUPPORTER.email, 'Brackenbury']

async function buildWorld() {
  const db = getDb()
  const owner = await createAdmin(db, { role: 'owner', name: 'Alice Owner' })
  const organisationId = owner.organisation.id
  const campaigner = await createAdmin(db, { role: 'campaigner', organisationId })
  const viewer = await createAdmin(db, { role: 'viewer', organisationId })
  const campaign = await createCampaign(db, {
    organisation_id: organisationId,
    title: 'Alpha campaign xylophone',
    slug: 'alpha-campaign-xylophone',
    translations: { ru: { title: 'Альфа кампания', summary: 'Кратко.', demand: 'Требуем.', target_name: 'Министр' } },
  })
  const draft = await createCampaign(db, { organisation_id: organisationId, status: 'draft', title: 'Alpha draft xylophone' })
  const signature = await createSignature(db, { campaign_id: campaign.id, ...SUPPORTER, state: 'confirmed', consent_show_name: false })
  await createSignature(db, { campaign_id: campaign.id, ...PENDING_SUPPORTER })
  const invitation = await db
    .insertInto('invitations')
    .values({
      organisation_id: organisationId,
      email: 'invitee.xylophone@example.org',
      role: 'viewer',
      token_hash: hashToken(generateToken()),
      invited_by: owner.user.id,
      expires_at: sql`now() + interval '7 days'`,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await recordAudit(db, owner, { action: 'campaign.published', subjectType: 'campaign', subjectId: campaign.id, changes: { marker: 'xylophone' } })

  const stranger = await createAdmin(db, { role: 'owner', name: 'Bob Stranger' })
  const strangerCampaign = await createCampaign(db, { organisation_id: stranger.organisation.id })
  const update = await createCampaignUpdate(db, {
    campaignId: campaign.id,
    kind: 'update',
    content: [{ locale: 'en', subject: 'Alpha news xylophone', body: 'News.' }],
    createdBy: owner.user.id,
  })
  return { owner, campaigner, viewer, campaign, draft, signature, invitation, stranger, strangerCampaign, update }
}

type World = Awaited<ReturnType<typeof buildWorld>>

/** Values for route params, always something of organisation A. Add one when a route brings a new param. */
const FIXTURES: Record<string, (world: World) => string> = {
  campaignId: (w) => w.campaign.id,
  userId: (w) => w.campaigner.user.id,
  memberId: (w) => w.campaigner.user.id,
  invitationId: (w) => w.invitation.id,
  signatureId: (w) => w.signature.id,
  sessionId: (w) => w.viewer.session.id,
  locale: () => 'en',
  token: () => generateToken(),
  updateId: (w) => w.update.id,
  // The guards refuse before the pack is looked up; tests/integration/delivery-packs.test.ts covers real packs.
  packId: () => '1',
}

/** Text that belongs to organisation A and must not reach a member of B. */
const organisationSecrets = (w: World) => [
  w.campaign.title,
  w.campaign.slug,
  w.draft.title,
  w.invitation.email,
  w.campaigner.user.email,
  w.owner.organisation.name,
  'xylophone',
  ...SECRET_TEXT,
]

function urlFor(route: AdminRoute, world: World) {
  const params: Record<string, string> = {}
  for (const name of route.params) {
    const fixture = FIXTURES[name]
    if (!fixture) {
      throw new Error(`${route.file}: no fixture for the route param "$${name}". Add one to FIXTURES in tests/integration/admin-authorization.test.ts.`)
    }
    params[name] = fixture(world)
  }
  const url = route.pattern.replace(/:([\w*]+)/g, (_, name: string) => encodeURIComponent(params[name]!))
  return { url, params }
}

/** Fields an admin form might need, filled with organisation A's things, so a refusal is about rights, not input. */
function wellFormedBody(world: World, csrf: string, intent?: string) {
  const body = new URLSearchParams({
    csrf,
    campaignId: world.campaign.id,
    userId: world.campaigner.user.id,
    invitationId: world.invitation.id,
    signatureId: world.signature.id,
    sessionId: world.viewer.session.id,
    organisationId: world.owner.organisation.id,
    email: 'someone.new@example.org',
    role: 'owner',
    locale: 'en',
    title: 'A new title',
    slug: 'a-new-slug',
    summary: 'A summary.',
    story: 'A story.',
    demand: 'A demand.',
    targetName: 'A target',
    targetRole: 'A role',
    signatureGoal: '1000',
    goal: '1000',
    version: '1',
    updatedAt: new Date().toISOString(),
    reason: 'fraud',
    confirm: 'yes',
  })
  if (intent) body.set('intent', intent)
  return body.toString()
}

/**
 * A fingerprint of every row of every table of ours, and of the job queue. `ownSessionsOf`
 * leaves out that user's sessions and the audit log (what self-service routes may change).
 */
async function snapshot({ ownSessionsOf }: { ownSessionsOf?: string } = {}) {
  const { rows: tables } = await sql<{ name: string }>`
    select tablename as name from pg_tables where schemaname = 'public' and tablename not like 'kysely_migration%' order by tablename`.execute(getDb())
  const result: Record<string, string> = {}
  for (const { name } of tables) {
    if (ownSessionsOf && name === 'audit_events') continue
    const where = ownSessionsOf && name === 'sessions' ? sql`where t.user_id <> ${ownSessionsOf}` : sql``
    const { rows } = await sql<{ digest: string }>`
      select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from ${sql.table(name)} t ${where}`.execute(getDb())
    result[name] = rows[0]!.digest
  }
  const { rows } = await sql<{ digest: string }>`
    select count(*) || ':' || md5(coalesce(string_agg(j.id::text, ','), '')) as digest from graphile_worker._private_jobs j`.execute(getDb())
  result['graphile_worker.jobs'] = rows[0]!.digest
  return result
}

function visibleText(outcome: { data: unknown; text: string; headers: Headers }) {
  return `${JSON.stringify(outcome.data ?? null)}\n${outcome.text}\n${outcome.headers.get('Location') ?? ''}`
}

function expectNone(haystack: string, needles: string[], where: string) {
  for (const needle of needles) expect(haystack.includes(needle), `${where} shows "${needle}"`).toBe(false)
}

async function callAs(who: TestAdmin | null, fn: RouteModule['loader'], route: AdminRoute, world: World, method: 'GET' | 'POST', intent?: string) {
  const { url, params } = urlFor(route, world)
  return await callRoute(fn!, {
    url,
    params,
    method,
    headers: who ? who.headers : {},
    body: method === 'POST' ? wellFormedBody(world, who?.csrfToken ?? 'no-session', intent) : undefined,
  })
}

const isIdParam = (name: string) => /Id$/.test(name)

describe('admin authorization', () => {
  it('finds the admin routes', () => {
    const files = routes.map((r) => r.file)
    for (const expected of ['admin.tsx', 'admin.members.tsx', 'admin.audit.tsx', 'admin.account.tsx', 'admin.sign-out.tsx']) {
      expect(files).toContain(expected)
    }
  })

  for (const route of routes) {
    const { file, module } = route
    const isPublic = Boolean(module.handle?.adminPublic)
    const selfService = Boolean(module.handle?.adminSelfService)
    const bodies = ['', ...route.intents]

    describe(file, () => {
      it('every route param has a fixture', async () => {
        const world = await buildWorld()
        expect(() => urlFor(route, world)).not.toThrow()
      })

      if (!isPublic) {
        it('(a) sends anonymous visitors to sign-in, from the loader and the action', async () => {
          const world = await buildWorld()
          for (const [fn, method] of [
            [module.loader, 'GET'],
            [module.action, 'POST'],
          ] as const) {
            if (!fn) continue
            const before = await snapshot()
            const outcome = await callAs(null, fn, route, world, method)
            expect(outcome.status, `${method} ${file}`).toBe(302)
            const { url } = urlFor(route, world)
            expect(outcome.headers.get('Location')).toBe(`/admin/sign-in?next=${encodeURIComponent(url)}`)
            expect(await snapshot()).toEqual(before)
          }
        })
      }

      it('(b) shows a viewer no supporter’s name or email', async () => {
        const world = await buildWorld()
        if (!module.loader) return
        const outcome = await callAs(world.viewer, module.loader, route, world, 'GET')
        expect([200, 302, 403, 404, 410], `GET ${file} as a viewer answered ${outcome.status}`).toContain(outcome.status)
        expectNone(visibleText(outcome), SECRET_TEXT, `GET ${file} as a viewer`)
      })

      if (module.action && !isPublic && !selfService) {
        it('(b) refuses a viewer every action with 403 and changes nothing', async () => {
          const world = await buildWorld()
          for (const intent of bodies) {
            const before = await snapshot()
            const outcome = await callAs(world.viewer, module.action, route, world, 'POST', intent || undefined)
            expect(outcome.status, `POST ${file} intent=${intent || '(none)'} as a viewer`).toBe(403)
            expect(await snapshot(), `POST ${file} intent=${intent || '(none)'} as a viewer changed rows`).toEqual(before)
          }
        })
      }

      if (module.action && !isPublic && selfService) {
        it('(b) lets a viewer change only their own sessions', async () => {
          const world = await buildWorld()
          for (const intent of bodies) {
            const before = await snapshot({ ownSessionsOf: world.viewer.user.id })
            const outcome = await callAs(world.viewer, module.action, route, world, 'POST', intent || undefined)
            expect(outcome.status, `POST ${file} intent=${intent || '(none)'} as a viewer`).toBeLessThan(500)
            expect(await snapshot({ ownSessionsOf: world.viewer.user.id }), `POST ${file} intent=${intent || '(none)'} as a viewer changed rows`).toEqual(
              before,
            )
          }
        })
      }

      if (!isPublic) {
        if (route.params.some(isIdParam)) {
          it('(c) answers 404 to a member of another organisation, from the loader and every action, changing nothing', async () => {
            const world = await buildWorld()
            if (module.loader) {
              const outcome = await callAs(world.stranger, module.loader, route, world, 'GET')
              expect(outcome.status, `GET ${file} as another organisation's owner`).toBe(404)
              expectNone(visibleText(outcome), organisationSecrets(world), `GET ${file} as another organisation's owner`)
            }
            if (module.action) {
              for (const intent of bodies) {
                const before = await snapshot()
                const outcome = await callAs(world.stranger, module.action, route, world, 'POST', intent || undefined)
                expect(outcome.status, `POST ${file} intent=${intent || '(none)'} as another organisation's owner`).toBe(404)
                expect(await snapshot(), `POST ${file} intent=${intent || '(none)'} as another organisation's owner changed rows`).toEqual(before)
              }
            }
          })
        } else {
          it('(c) shows a member of another organisation none of this organisation’s data', async () => {
            const world = await buildWorld()
            if (!module.loader) return
            const outcome = await callAs(world.stranger, module.loader, route, world, 'GET')
            expectNone(visibleText(outcome), organisationSecrets(world), `GET ${file} as another organisation's owner`)
          })
        }
      }
    })
  }
})
