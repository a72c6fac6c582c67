import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAdmin } from '../support/admin'
import { createOrganisation } from '../support/factories'
import { ensureOwner, slugFromName } from '~/models/membership.server'
import { getDb } from '~/utils/db.server'

const tsx = path.resolve('node_modules/.bin/tsx')

function run(args: string[]) {
  const child = spawn(tsx, ['scripts/admin-create.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  return new Promise<{ code: number | null; output: string }>((resolve) => child.on('exit', (code) => resolve({ code, output })))
}

const ownersOf = async (slug: string) =>
  await getDb()
    .selectFrom('memberships as m')
    .innerJoin('organisations as o', 'o.id', 'm.organisation_id')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.email', 'm.role', 'o.name'])
    .where('o.slug', '=', slug)
    .execute()

describe('creating the first owner', () => {
  it('derives readable slugs', () => {
    expect(slugFromName('Friends of the Earth!')).toBe('friends-of-the-earth')
    expect(slugFromName('  Amnesty — Café Group ')).toBe('amnesty-cafe-group')
    expect(slugFromName('Мемориал')).toBe('organisation')
  })

  it('creates the organisation and the owner, and changes nothing when run again', async () => {
    const first = await ensureOwner({ email: 'Boss@Example.org', organisationName: 'Friends of the Park' })
    expect(first).toMatchObject({ organisationCreated: true, membershipCreated: true, promoted: false })
    const second = await ensureOwner({ email: 'boss@example.org', organisationName: 'Friends of the Park' })
    expect(second).toMatchObject({ organisationCreated: false, membershipCreated: false, promoted: false })
    expect(await ownersOf('friends-of-the-park')).toEqual([{ email: 'boss@example.org', role: 'owner', name: 'Friends of the Park' }])
    const audit = await getDb().selectFrom('audit_events').select(['action', 'actor_user_id']).orderBy('id').execute()
    expect(audit).toEqual([
      { action: 'organisation.created', actor_user_id: null },
      { action: 'member.added', actor_user_id: null },
    ])
  })

  it('adds an owner to an existing organisation and promotes an existing member', async () => {
    const organisation = await createOrganisation(getDb(), { name: 'Park Friends', slug: 'park-friends' })
    const viewer = await createAdmin(getDb(), { role: 'viewer', email: 'promote.me@example.org', organisationId: organisation.id })
    const result = await ensureOwner({ email: 'promote.me@example.org', organisationName: viewer.organisation.name })
    expect(result).toMatchObject({ organisationCreated: false, promoted: true })
    expect(await ownersOf(viewer.organisation.slug)).toEqual([{ email: 'promote.me@example.org', role: 'owner', name: viewer.organisation.name }])
  })

  it('npm run admin:create does it from the command line and says how to sign in', async () => {
    const { code, output } = await run(['--email', 'founder@example.org', '--org', 'Rights Watch'])
    expect(code, output).toBe(0)
    expect(output).toContain('Created the organisation "Rights Watch" (rights-watch)')
    expect(output).toContain('/admin/sign-in with founder@example.org')
    expect(await ownersOf('rights-watch')).toEqual([{ email: 'founder@example.org', role: 'owner', name: 'Rights Watch' }])

    const again = await run(['--email', 'founder@example.org', '--org', 'Rights Watch'])
    expect(again.code).toBe(0)
    expect(again.output).toContain('was already an owner')
    expect(await ownersOf('rights-watch')).toHaveLength(1)
  }, 60_000)

  it('refuses bad arguments with the usage line', async () => {
    const { code, output } = await run(['--email', 'not-an-address'])
    expect(code).toBe(2)
    expect(output).toContain('Usage: npm run admin:create -- --email ADDRESS --org')
    expect(await getDb().selectFrom('users').select('id').execute()).toEqual([])
  }, 60_000)
})
