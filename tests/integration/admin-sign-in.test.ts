import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createAdmin } from '../support/admin'
import { queuedJobs, runDueJobs, queuedEmails, runJobsOf, openEmailRow } from '../support/jobs'
import { REQUEST_SIGN_IN_LINK_TASK } from '~/models/sign-in.server'
import { callRoute, form } from '../support/routes'
import { action as signInAction, loader as signInLoader } from '~/routes/admin.sign-in'
import { action as linkAction, loader as linkLoader } from '~/routes/admin.sign-in_.$token'
import { getActiveSession } from '~/models/session.server'
import { DEMO_ORGANISER_EMAIL, seedDemoContentIfEmpty } from '~/models/seed.server'
import { SIGN_IN_LINKS_PER_EMAIL } from '~/models/sign-in.server'
import { requireAdmin } from '~/http/auth.server'
import { getDb } from '~/utils/db.server'
import { resetEnv } from '~/utils/env.server'
import { hashToken } from '~/utils/security.server'

const postSignIn = (email: string, extra: Record<string, string> = {}, ip = '192.0.2.10') =>
  callRoute(signInAction, { url: '/admin/sign-in', method: 'POST', body: form({ email, ...extra }), ip })

/** Asks for a link, then runs the job that looks the address up (the request itself only queues it). */
async function requestLink(email: string, extra: Record<string, string> = {}, ip = '192.0.2.10') {
  const response = await postSignIn(email, extra, ip)
  await runJobsOf(REQUEST_SIGN_IN_LINK_TASK)
  return response
}

/** Asks for a link and returns the token the job will email. */
async function linkFor(email: string, extra: Record<string, string> = {}) {
  const response = await requestLink(email, extra)
  expect(response.status).toBe(302)
  const job = (await queuedEmails('sign-in-link')).at(-1)
  expect(job).toBeDefined()
  return job!.payload.token as string
}

const openLink = (token: string) => callRoute(linkLoader, { url: `/admin/sign-in/${token}`, params: { token } })
const pressSignIn = (token: string, headers: Record<string, string> = {}) =>
  callRoute(linkAction, {
    url: `/admin/sign-in/${token}`,
    method: 'POST',
    params: { token },
    headers: { 'User-Agent': 'Mozilla/5.0 (Macintosh) Firefox/130.0', ...headers },
  })

function cookieOf(response: { headers: Headers }) {
  const match = /^chorus_session=([^;]+);/.exec(response.headers.get('Set-Cookie') ?? '')
  expect(match).not.toBeNull()
  return match![1]!
}

describe('asking for a sign-in link', () => {
  afterEach(() => {
    delete process.env.SIGN_RATE_LIMIT
    resetEnv()
  })

  it('answers the same whether or not the address has an account, and emails only members', async () => {
    const member = await createAdmin(getDb(), { email: 'organiser@example.org' })
    const known = await requestLink('  Organiser@Example.org ')
    const unknown = await requestLink('nobody@example.org')
    for (const response of [known, unknown]) {
      expect(response.status).toBe(302)
      expect(response.headers.get('Location')).toBe('/admin/sign-in?sent=1')
    }
    const jobs = await queuedEmails('sign-in-link')
    expect(jobs).toHaveLength(1)
    const tokens = await getDb().selectFrom('sign_in_tokens').selectAll().execute()
    expect(tokens).toHaveLength(1)
    expect(tokens[0]!.user_id).toBe(member.user.id)
    // Only the hash is stored; it expires in 15 minutes.
    expect(tokens[0]!.token_hash.equals(hashToken(jobs[0]!.payload.token!))).toBe(true)
    const { rows } = await sql<{ minutes: number }>`select round(extract(epoch from expires_at - created_at) / 60)::int as minutes from sign_in_tokens`.execute(
      getDb(),
    )
    expect(rows[0]!.minutes).toBe(15)
  })

  it('does the same work while the visitor waits for a known and an unknown address: one job queued, nothing looked up', async () => {
    await createAdmin(getDb(), { email: 'organiser@example.org' })
    const counts = async () => {
      const { rows } = await sql<{ jobs: number; tokens: number; emails: number }>`select
        (select count(*)::int from graphile_worker._private_jobs) as jobs,
        (select count(*)::int from sign_in_tokens) as tokens,
        (select count(*)::int from email_messages) as emails`.execute(getDb())
      return rows[0]!
    }
    const start = await counts()
    const known = await postSignIn('organiser@example.org')
    const afterKnown = await counts()
    const unknown = await postSignIn('nobody@example.org')
    const afterUnknown = await counts()
    expect([known.status, unknown.status]).toEqual([302, 302])
    expect(known.headers.get('Location')).toBe(unknown.headers.get('Location'))
    // Each request wrote exactly one job and nothing else; the answer cannot tell them apart.
    expect(afterKnown).toEqual({ jobs: start.jobs + 1, tokens: start.tokens, emails: start.emails })
    expect(afterUnknown).toEqual({ jobs: start.jobs + 2, tokens: start.tokens, emails: start.emails })
    const jobs = (await queuedJobs(REQUEST_SIGN_IN_LINK_TASK)).map((job) => Object.keys(job.payload).sort())
    expect(jobs).toEqual([
      ['email', 'locale', 'next'],
      ['email', 'locale', 'next'],
    ])
    // The job then emails the member only.
    await runJobsOf(REQUEST_SIGN_IN_LINK_TASK)
    expect(await queuedEmails('sign-in-link')).toHaveLength(1)
    expect(await queuedJobs(REQUEST_SIGN_IN_LINK_TASK)).toEqual([])
  })

  it('does not email someone who belongs to no organisation', async () => {
    await getDb().insertInto('users').values({ email: 'former@example.org' }).execute()
    expect((await requestLink('former@example.org')).status).toBe(302)
    expect(await queuedEmails('sign-in-link')).toHaveLength(0)
  })

  it('refuses a malformed address with a 400 and a translated message', async () => {
    const response = await requestLink('not-an-address')
    expect(response.status).toBe(400)
    expect(response.data.result.error.email).toEqual(['admin.signIn.error.email'])
    expect(response.data.result.initialValue.email).toBe('not-an-address')
  })

  it('is rate-limited per address, for known and unknown addresses alike', async () => {
    await createAdmin(getDb(), { email: 'busy@example.org' })
    for (const email of ['busy@example.org', 'ghost@example.org']) {
      for (let i = 0; i < SIGN_IN_LINKS_PER_EMAIL; i++) expect((await requestLink(email, {}, `198.51.100.${i}`)).status).toBe(302)
      const refused = await requestLink(email, {}, '198.51.100.99')
      expect(refused.status).toBe(429)
      expect(refused.data.result.error['']).toEqual(['admin.signIn.error.rateLimited'])
    }
    expect(await queuedEmails('sign-in-link')).toHaveLength(SIGN_IN_LINKS_PER_EMAIL)
    // The bucket names hold no address.
    const buckets = await getDb().selectFrom('rate_limits').select('bucket').execute()
    expect(buckets.map((b) => b.bucket).join(' ')).not.toMatch(/busy|ghost|example/)
  })

  it('is rate-limited per client address, like signing', async () => {
    process.env.SIGN_RATE_LIMIT = '3'
    resetEnv()
    for (let i = 0; i < 3; i++) expect((await requestLink(`person${i}@example.org`, {}, '203.0.113.5')).status).toBe(302)
    expect((await requestLink('one-more@example.org', {}, '203.0.113.5')).status).toBe(429)
  })

  it('emails a link to the page with the button, in the asker’s language', async () => {
    const member = await createAdmin(getDb())
    await callRoute(signInAction, { url: '/admin/sign-in?lang=ru', method: 'POST', body: form({ email: member.user.email }) })
    await runJobsOf(REQUEST_SIGN_IN_LINK_TASK)
    const token = (await queuedEmails('sign-in-link'))[0]!.payload.token
    await runDueJobs()
    const message = await openEmailRow(await getDb().selectFrom('email_messages').selectAll().executeTakeFirstOrThrow())
    expect(message).toMatchObject({ recipient: member.user.email, template: 'sign-in-link', locale: 'ru', status: 'sent' })
    expect(message.subject).toBe('Ваша ссылка для входа в Chorus')
    expect(message.html).toContain(`http://localhost:3000/admin/sign-in/${token}?lang=ru`)
    expect(message.text).toContain(`http://localhost:3000/admin/sign-in/${token}?lang=ru`)
  })

  it('sends nothing when the link was used before the job ran', async () => {
    const member = await createAdmin(getDb())
    const token = await linkFor(member.user.email)
    expect((await pressSignIn(token)).status).toBe(302)
    await runDueJobs()
    expect(await getDb().selectFrom('email_messages').select(['template', 'status', 'error']).execute()).toEqual([
      { template: 'sign-in-link', status: 'skipped', error: 'no longer due' },
    ])
  })

  it('the demo organiser, an owner of the demo organisation, gets a link', async () => {
    await seedDemoContentIfEmpty()
    const token = await linkFor(DEMO_ORGANISER_EMAIL)
    const signedIn = await pressSignIn(token)
    const session = await getActiveSession(cookieOf(signedIn))
    const admin = await requireAdmin(new Request('http://localhost:3000/admin', { headers: { Cookie: `chorus_session=${cookieOf(signedIn)}` } }))
    expect(session?.user.email).toBe('organiser@chorus.localhost')
    expect(admin.role).toBe('owner')
    expect(admin.organisation.slug).toBe(
      (
        await getDb()
          .selectFrom('campaigns')
          .innerJoin('organisations', 'organisations.id', 'campaigns.organisation_id')
          .select('organisations.slug')
          .executeTakeFirstOrThrow()
      ).slug,
    )
  })

  it('shows who is already signed in', async () => {
    const member = await createAdmin(getDb())
    const page = await callRoute(signInLoader, { url: '/admin/sign-in', headers: member.headers })
    expect(page.data.signedInAs).toBe(member.user.email)
  })
})

describe('using a sign-in link', () => {
  it('GET shows a button and signs nobody in; POST signs in once', async () => {
    const member = await createAdmin(getDb())
    const token = await linkFor(member.user.email)
    const sessionsBefore = await getDb().selectFrom('sessions').select('id').execute()

    const page = await openLink(token)
    expect(page.status).toBe(200)
    expect(page.data.state).toBe('ready')
    expect(page.headers.get('Cache-Control')).toBe('no-store')
    expect(await getDb().selectFrom('sessions').select('id').execute()).toEqual(sessionsBefore)
    expect((await getDb().selectFrom('sign_in_tokens').select('used_at').executeTakeFirstOrThrow()).used_at).toBeNull()

    const signedIn = await pressSignIn(token)
    expect(signedIn.status).toBe(302)
    expect(signedIn.headers.get('Location')).toBe('/admin')
    expect(signedIn.headers.get('Set-Cookie')).toMatch(/HttpOnly; SameSite=Lax/)
    const sessionToken = cookieOf(signedIn)
    const session = await getActiveSession(sessionToken)
    expect(session).toMatchObject({ userId: member.user.id, organisationId: member.organisation.id })
    const stored = await getDb().selectFrom('sessions').selectAll().where('id', '=', session!.id).executeTakeFirstOrThrow()
    expect(stored.token_hash.equals(hashToken(sessionToken))).toBe(true)
    expect(stored.user_agent).toBe('Firefox on macOS')
    const admin = await requireAdmin(new Request('http://localhost:3000/admin', { headers: { Cookie: `chorus_session=${sessionToken}` } }))
    expect(admin.role).toBe('owner')

    const audit = await getDb().selectFrom('audit_events').selectAll().execute()
    expect(audit).toMatchObject([
      { action: 'session.signed_in', actor_user_id: member.user.id, organisation_id: member.organisation.id, subject_id: session!.id },
    ])
  })

  it('cannot be used twice', async () => {
    const member = await createAdmin(getDb())
    const token = await linkFor(member.user.email)
    expect((await pressSignIn(token)).status).toBe(302)
    const again = await pressSignIn(token)
    expect(again.status).toBe(410)
    expect(again.data.state).toBe('invalid')
    expect(again.headers.get('Set-Cookie')).toBeNull()
    expect((await openLink(token)).status).toBe(410)
  })

  it('lets only one of two simultaneous presses through', async () => {
    const member = await createAdmin(getDb())
    const token = await linkFor(member.user.email)
    const results = await Promise.all([pressSignIn(token), pressSignIn(token), pressSignIn(token)])
    expect(results.map((r) => r.status).sort()).toEqual([302, 410, 410])
  })

  it('does not work after 15 minutes', async () => {
    const member = await createAdmin(getDb())
    const token = await linkFor(member.user.email)
    await getDb()
      .updateTable('sign_in_tokens')
      .set({ expires_at: sql`now() - interval '1 second'` })
      .execute()
    expect((await openLink(token)).status).toBe(410)
    const pressed = await pressSignIn(token)
    expect(pressed.status).toBe(410)
    expect(pressed.headers.get('Set-Cookie')).toBeNull()
  })

  it('does not work with a made-up token', async () => {
    const made = 'x'.repeat(43)
    expect((await openLink(made)).status).toBe(410)
    const pressed = await pressSignIn(made)
    expect(pressed.status).toBe(404)
    expect(pressed.data.state).toBe('invalid')
  })

  it('returns to the page that asked for sign-in, but only inside /admin', async () => {
    const member = await createAdmin(getDb())
    const token = await linkFor(member.user.email, { next: '/admin/campaigns/12/edit?locale=ru' })
    expect((await pressSignIn(token)).headers.get('Location')).toBe('/admin/campaigns/12/edit?locale=ru')
    const evil = await linkFor(member.user.email, { next: '//evil.example/admin' })
    expect((await pressSignIn(evil)).headers.get('Location')).toBe('/admin')
  })

  it('explains, and starts no session, when the person no longer belongs to an organisation', async () => {
    const member = await createAdmin(getDb())
    const token = await linkFor(member.user.email)
    await getDb().deleteFrom('memberships').execute()
    const sessionsBefore = (await getDb().selectFrom('sessions').select('id').execute()).length
    const pressed = await pressSignIn(token)
    expect(pressed.status).toBe(403)
    expect(pressed.data.state).toBe('no-membership')
    expect((await getDb().selectFrom('sessions').select('id').execute()).length).toBe(sessionsBefore)
  })
})
