import { spawn, type ChildProcess } from 'node:child_process'
import { sql } from 'kysely'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createCampaign, uniqueEmail } from '../support/factories'
import type { FakeResend } from '../support/fake-resend'
import { fakeResendSuite } from '../support/fake-resend-suite'
import { createCampaignUpdate, startUpdateSend } from '~/models/campaign-update.server'
import { signCampaign } from '~/models/signature.server'
import { getDb } from '~/utils/db.server'

// Decision 0026: a real worker process (node itself, not a wrapper whose child would
// outlive the signal) is killed with SIGKILL in the middle of its work; a second process, started
// after, notices the silent heartbeat, releases what the first held, and finishes the work:
// every email accepted by Resend exactly once, every count right, within a minute.

const DEAD_AFTER_SECONDS = 3
/** The promise: the work carries on within a minute of the death. */
const RECOVERY_LIMIT_MS = 60_000

const fake = fakeResendSuite()
let resend: FakeResend
beforeAll(() => {
  resend = fake.resend
})
const children: ChildProcess[] = []

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

function useResend() {
  fake.use({ EMAIL_FROM: 'Chorus <campaigns@example.org>' })
}

/** `npm run worker` as node itself runs it, on this test's database and fake Resend. */
function startWorkerProcess(name: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/worker.ts'], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      WORKER_DEAD_AFTER_SECONDS: String(DEAD_AFTER_SECONDS),
      SHUTDOWN_GRACE_SECONDS: '10',
    } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stdout!.on('data', (chunk) => (output += chunk))
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    exited,
    output: () => output,
    async waitFor(text: string, ms = 60_000) {
      await waitUntil(
        () => output.includes(text),
        ms,
        () => `${name} never logged "${text}":\n${output}`,
      )
    },
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, message: () => string) {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(message())
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function emailStates() {
  const rows = await sql<{ status: string; n: number }>`select status, count(*)::int as n from email_messages group by status`.execute(getDb())
  return Object.fromEntries(rows.rows.map((r) => [r.status, r.n]))
}

/** Jobs locked by any graphile-worker other than those of the process with this pid. */
async function jobsLockedByOthersThan(pid: number) {
  const rows = await sql<{ n: number }>`
    select count(*)::int as n from graphile_worker._private_jobs j
    where j.locked_by is not null
      and not exists (select 1 from worker_heartbeats h where h.pid = ${pid} and j.locked_by = any(h.job_worker_ids))`.execute(getDb())
  return rows.rows[0]!.n
}

/** Every accepted email once: no batch key accepted twice, no recipient twice. */
function expectEachOnce(expected: string[]) {
  const recipients = resend.batchEmails.flatMap((e) => e.to)
  expect(new Set(recipients).size).toBe(recipients.length)
  expect(recipients.sort()).toEqual([...expected].sort())
  expect([...resend.acceptedBatchKeys.values()].every((n) => n === 1)).toBe(true)
}

/** The second process stops on SIGTERM within its grace period, with exit code 0. */
async function stopCleanly(worker: ReturnType<typeof startWorkerProcess>) {
  worker.child.kill('SIGTERM')
  expect(await worker.exited).toBe(0)
  expect(worker.output()).toContain('work finished, stopping')
}

describe('a worker killed with SIGKILL', () => {
  it('in a confirmation surge: the batch it held is sent again under its key, every confirmation goes out once', async () => {
    useResend()
    const campaign = await createCampaign(getDb())
    const signers = Array.from({ length: 250 }, () => uniqueEmail('surge'))
    for (const email of signers) {
      await signCampaign(
        { id: campaign.id, consentVersion: 'v1' },
        { fullName: 'Surge Signer', email, country: 'GB' },
        { ip: '198.51.100.7', userAgent: 'test', locale: 'en' },
      )
    }
    const first = startWorkerProcess('first worker')
    // Resend accepts the first batch, and the process dies before it hears the answer.
    let heldKey: string | null = null
    resend.onBatch((_emails, key) => {
      if (heldKey) return
      heldKey = key
      first.child.kill('SIGKILL')
    })
    await waitUntil(
      () => heldKey !== null,
      60_000,
      () => `no batch was sent:\n${first.output()}`,
    )
    expect(await first.exited).toBe(null)
    resend.onBatch(null)
    const killedAt = Date.now()
    // Under load the sender may have claimed a second batch before the kill landed.
    expect((await emailStates()).sending).toBeGreaterThanOrEqual(100)

    const second = startWorkerProcess('second worker')
    await waitUntil(
      async () => (await emailStates()).sent === 250,
      RECOVERY_LIMIT_MS,
      () => `not all sent: ${JSON.stringify(resend.acceptedBatchKeys)}\n${second.output()}`,
    )
    expect(Date.now() - killedAt).toBeLessThan(RECOVERY_LIMIT_MS)
    expect(second.output()).toContain('released the work of dead workers')
    // The held batch went again under the same key: Resend replayed its answer and sent nothing new.
    expect(resend.requests.filter((r) => r.path === '/emails/batch' && r.headers['idempotency-key'] === heldKey)).toHaveLength(2)
    expectEachOnce(signers)
    await stopCleanly(second)
  }, 150_000)

  it('in an update fan-out: the rest of the audience gets the update once, and the update is marked sent', async () => {
    useResend()
    const campaign = await createCampaign(getDb())
    await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, consent_updates, confirmed_at, locale)
      select ${campaign.id}, 'Signer ' || n, 'fan-' || n || '@example.org', 'fan-' || n || '@example.org', 'GB', 'v1', 'confirmed', true, now(), 'en'
      from generate_series(1, 250) n`.execute(getDb())
    const { id: updateId } = await createCampaignUpdate(getDb(), {
      campaignId: campaign.id,
      kind: 'update',
      content: [{ locale: 'en', subject: 'We met the minister', body: 'It went **well**.' }],
      createdBy: null,
    })
    await startUpdateSend(getDb(), updateId, null)

    const first = startWorkerProcess('first worker')
    // The first batch is recorded; the second is accepted and the process dies before recording it.
    let batches = 0
    resend.onBatch(() => {
      batches += 1
      if (batches === 2) first.child.kill('SIGKILL')
    })
    await waitUntil(
      () => batches >= 2,
      60_000,
      () => `the fan-out never reached a second batch:\n${first.output()}`,
    )
    await first.exited
    resend.onBatch(null)
    const killedAt = Date.now()
    // Killed mid-way: some recorded as sent, a batch held (under load a second sender may have
    // claimed another before the kill landed).
    const states = await emailStates()
    expect(states.sent).toBeGreaterThanOrEqual(100)
    expect(states.sending).toBeGreaterThanOrEqual(100)

    const second = startWorkerProcess('second worker')
    await waitUntil(
      async () => (await getDb().selectFrom('campaign_updates').select('status').where('id', '=', updateId).executeTakeFirstOrThrow()).status === 'sent',
      RECOVERY_LIMIT_MS,
      () => `the update was never marked sent:\n${second.output()}`,
    )
    expect(Date.now() - killedAt).toBeLessThan(RECOVERY_LIMIT_MS)
    expect((await emailStates()).sent).toBe(250)
    expectEachOnce(Array.from({ length: 250 }, (_, i) => `fan-${i + 1}@example.org`))
    await stopCleanly(second)
  }, 150_000)

  it('in a count fold: the fold it was in is undone, its jobs are released, and every count comes out right', async () => {
    const campaign = await createCampaign(getDb())
    const total = 20_000
    await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, confirmed_at, locale)
      select ${campaign.id}, 'Signer ' || n, 'count-' || n || '@example.org', 'count-' || n || '@example.org',
        case when n % 4 = 0 then 'FR' else 'GB' end, 'v1', 'confirmed', now() - (n % 3) * interval '1 day', 'en'
      from generate_series(1, ${total}) n`.execute(getDb())

    const first = startWorkerProcess('first worker')
    // The moment its fold statement is running, the process dies.
    await waitUntil(
      async () => {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and query like '%counted_at = now()%'`.execute(getDb())
        return rows[0]!.n > 0
      },
      60_000,
      () => `no fold was seen running:\n${first.output()}`,
    )
    first.child.kill('SIGKILL')
    await first.exited
    const killedAt = Date.now()
    // Its fold is rolled back with its connection: nothing half counted.
    const counted = async () => (await sql<{ n: number }>`select count(*)::int as n from signatures where counted_at is not null`.execute(getDb())).rows[0]!.n
    const campaignCount = async () =>
      (await getDb().selectFrom('campaigns').select('signature_count').where('id', '=', campaign.id).executeTakeFirstOrThrow()).signature_count
    await waitUntil(
      async () => (await counted()) === (await campaignCount()),
      10_000,
      () => 'the dead fold was not undone',
    )
    expect(await counted()).toBeLessThan(total)

    // The counter's job the dead process held stays locked until another process releases it.
    expect(await jobsLockedByOthersThan(-1)).toBeGreaterThan(0)
    const second = startWorkerProcess('second worker')
    await waitUntil(
      async () => (await campaignCount()) === total,
      RECOVERY_LIMIT_MS,
      () => `counted ${total} never reached:\n${second.output()}`,
    )
    await waitUntil(
      async () => (await jobsLockedByOthersThan(second.child.pid!)) === 0,
      RECOVERY_LIMIT_MS,
      () => `the dead worker's jobs stayed locked:\n${second.output()}`,
    )
    expect(Date.now() - killedAt).toBeLessThan(RECOVERY_LIMIT_MS)
    const sums = await sql<{ country: number; daily: number; source: number }>`select
        (select sum(signature_count)::int from campaign_country_counts where campaign_id = ${campaign.id}) as country,
        (select sum(signature_count)::int from campaign_daily_counts where campaign_id = ${campaign.id}) as daily,
        (select sum(signature_count)::int from campaign_source_counts where campaign_id = ${campaign.id}) as source`.execute(getDb())
    expect(sums.rows[0]).toEqual({ country: total, daily: total, source: total })
    const fr = await getDb()
      .selectFrom('campaign_country_counts')
      .select('signature_count')
      .where('campaign_id', '=', campaign.id)
      .where('country', '=', 'FR')
      .executeTakeFirstOrThrow()
    expect(fr.signature_count).toBe(total / 4)
    await stopCleanly(second)
  }, 150_000)
})
