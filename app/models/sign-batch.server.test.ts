import { solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/sha'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createCampaign, uniqueEmail } from '../../tests/support/factories'
import { queuedEmails } from '../../tests/support/jobs'
import { emailIndex, sealerFor } from '~/models/data-key.server'
import { createSignChallenge, setAttackMode } from '~/models/integrity.server'
import { signBatch, signBatchCounts } from '~/models/sign-batch.server'
import { confirmSignature, formSigner, signCampaignFromForm } from '~/models/signature.server'
import { PLANNED_APPLICATION_NAME, getDb } from '~/utils/db.server'
import { resetEnv } from '~/utils/env.server'
import { hashToken } from '~/utils/security.server'

// Signers arriving together share one statement (decision 0050). Whatever the batches, each signer
// is decided as if they had signed one after another: these sign concurrently and check that the
// outcome is the one the sequential rules give, and that batches were in fact shared.

const rate = (bucket: string, limit = 100) => ({ bucket, limit, windowSeconds: 3600 })
const input = (overrides: Record<string, string> = {}) => ({ fullName: 'Ada Lovelace', email: uniqueEmail(), country: 'GB', ...overrides })
const hits = async (bucket: string) => (await getDb().selectFrom('rate_limits').select('hits').where('bucket', '=', bucket).executeTakeFirst())?.hits ?? 0

/**
 * Signs concurrently. The organisation's keys are read first, so that no signer waits on the
 * database before joining a batch: all of them arrive in one turn of the event loop, and are
 * written as one batch.
 */
async function signTogether(
  campaign: { id: string; consent_version: string; organisation_id: string },
  signers: { values?: Record<string, string>; ip?: string; bucket: string; limit?: number }[],
) {
  await sealerFor(campaign.organisation_id)
  await emailIndex('warm@example.org')
  const before = signBatchCounts()
  const settled = await Promise.allSettled(
    signers.map(({ values, ip, bucket, limit }) =>
      signCampaignFromForm(
        { id: campaign.id, consentVersion: campaign.consent_version, organisation: { id: campaign.organisation_id } },
        input(values),
        { ip: ip ?? '203.0.113.7', userAgent: 'test', locale: 'en' },
        rate(bucket, limit),
      ),
    ),
  )
  const after = signBatchCounts()
  const results = settled.map((result) => {
    if (result.status === 'rejected') throw result.reason
    return result.value
  })
  return { results, batches: after.batches - before.batches, failed: after.failedBatches - before.failedBatches }
}

/** Runs `run` with SIGN_BATCH_MAX set to `max`, then as before. */
async function withBatchMax<T>(max: number, run: () => Promise<T>): Promise<T> {
  process.env.SIGN_BATCH_MAX = String(max)
  resetEnv()
  try {
    return await run()
  } finally {
    delete process.env.SIGN_BATCH_MAX
    resetEnv()
  }
}

const outcomes = (results: { outcome: string }[]) => results.map((result) => result.outcome).sort()

describe('signatures written in batches', () => {
  it('writes signers who arrive together in fewer statements than signers, each with their own signature, email and token', async () => {
    const campaign = await createCampaign(getDb())
    const { results, batches, failed } = await signTogether(
      campaign,
      Array.from({ length: 8 }, (_, index) => ({ ip: `198.51.100.${index + 1}`, bucket: `batch:a${index}` })),
    )
    expect(outcomes(results)).toEqual(Array(8).fill('created'))
    expect(batches).toBe(1)
    expect(failed).toBe(0)
    const signatures = await getDb().selectFrom('signatures').select(['id', 'confirmation_token_hash', 'state']).orderBy('id').execute()
    expect(signatures).toHaveLength(8)
    expect(new Set(results.map((result) => 'signatureId' in result && result.signatureId))).toEqual(new Set(signatures.map((row) => row.id)))
    const emails = await queuedEmails('signature-confirmation')
    expect(emails).toHaveLength(8)
    // Each email carries the token of its own signature, and its link confirms that signature.
    for (const email of emails) {
      const signature = signatures.find((row) => row.id === email.payload.signatureId)!
      expect(signature.confirmation_token_hash).toEqual(hashToken(email.payload.token as string))
      expect(await confirmSignature(email.payload.token as string)).toMatchObject({ status: 'confirmed' })
    }
    for (let index = 0; index < 8; index++) expect(await hits(`batch:a${index}`)).toBe(1)
  })

  it('counts one client’s hits in a batch one after another: exactly the limit is allowed, the rest refused, and every hit counted', async () => {
    const campaign = await createCampaign(getDb())
    const { results, batches } = await signTogether(
      campaign,
      Array.from({ length: 7 }, () => ({ bucket: 'batch:b', limit: 3 })),
    )
    expect(batches).toBe(1)
    expect(outcomes(results)).toEqual(['created', 'created', 'created', 'rate-limited', 'rate-limited', 'rate-limited', 'rate-limited'])
    expect(await hits('batch:b')).toBe(7)
    expect(await getDb().selectFrom('signatures').select('id').execute()).toHaveLength(3)
    expect(await queuedEmails('signature-confirmation')).toHaveLength(3)
  })

  it('holds by the hourly address and domain rules, counting the batch’s earlier signers as signatures already made', async () => {
    const campaign = await createCampaign(getDb(), { integrity_address_hourly_limit: 2, integrity_domain_hourly_limit: 3 })
    // Five from one address (at different domains), then four at one small domain from other addresses.
    const fromOneAddress = Array.from({ length: 5 }, (_, index) => ({
      ip: '192.0.2.50',
      bucket: 'batch:c',
      values: { email: uniqueEmail().replace('example.org', `d${index}.example`) },
    }))
    const { results, batches } = await signTogether(campaign, fromOneAddress)
    expect(outcomes(results)).toEqual(Array(5).fill('created'))
    expect(batches).toBe(1)
    const fromOneDomain = Array.from({ length: 4 }, (_, index) => ({
      ip: `192.0.2.${60 + index}`,
      bucket: `batch:c${index}`,
      values: { email: uniqueEmail().replace('example.org', 'small-domain.example') },
    }))
    const second = await signTogether(campaign, fromOneDomain)
    expect(outcomes(second.results)).toEqual(Array(4).fill('created'))
    expect(second.batches).toBe(1)
    const rows = await getDb().selectFrom('signatures').select(['state', 'hold_reasons', 'email_domain']).orderBy('id').execute()
    const byAddress = rows.filter((row) => row.email_domain !== 'small-domain.example')
    expect(byAddress.filter((row) => row.state === 'pending')).toHaveLength(2)
    expect(byAddress.filter((row) => row.state === 'held').map((row) => row.hold_reasons)).toEqual([['address_rate'], ['address_rate'], ['address_rate']])
    const byDomain = rows.filter((row) => row.email_domain === 'small-domain.example')
    expect(byDomain.filter((row) => row.state === 'pending')).toHaveLength(3)
    expect(byDomain.filter((row) => row.state === 'held').map((row) => row.hold_reasons)).toEqual([['domain_rate']])
  })

  it('inserts one signature for an address signed twice in one batch; the second signer is answered as a repeat', async () => {
    const campaign = await createCampaign(getDb())
    const email = uniqueEmail()
    const { results } = await signTogether(campaign, [
      { bucket: 'batch:d1', values: { email } },
      { bucket: 'batch:d2', values: { email: email.toUpperCase() } },
    ])
    expect(outcomes(results)).toEqual(['created', 'resent'])
    expect(await getDb().selectFrom('signatures').select('id').execute()).toHaveLength(1)
    // Two confirmation emails, the newer link the one that works.
    expect(await queuedEmails('signature-confirmation')).toHaveLength(2)
  })

  it('answers each signer for their own campaign: a closed one refuses, an open one signs, in the same batch', async () => {
    const open = await createCampaign(getDb())
    const closed = await createCampaign(getDb(), { status: 'closed' })
    const sign = (campaign: typeof open, index: number) =>
      signCampaignFromForm(
        { id: campaign.id, consentVersion: campaign.consent_version, organisation: { id: campaign.organisation_id } },
        input(),
        { ip: `198.51.100.${index}`, userAgent: 'test', locale: 'en' },
        rate(`batch:e${index}`),
      )
    // Each organisation's key is read once, then kept: signed once each first, so that the three
    // below wait for nothing before joining a batch.
    expect([(await sign(open, 10)).outcome, (await sign(closed, 11)).outcome]).toEqual(['created', 'closed'])
    const before = signBatchCounts()
    const results = await Promise.all([open, closed, open].map(sign))
    expect(signBatchCounts().batches - before.batches).toBe(1)
    expect(results.map((result) => result.outcome)).toEqual(['created', 'closed', 'created'])
    expect(await getDb().selectFrom('signatures').select('campaign_id').where('campaign_id', '=', closed.id).execute()).toEqual([])
    expect(await getDb().selectFrom('signatures').select('id').where('campaign_id', '=', open.id).execute()).toHaveLength(3)
  })

  it('writes a failed batch again one signer at a time, so one signer’s failure is theirs alone', async () => {
    const campaign = await createCampaign(getDb())
    await sealerFor(campaign.organisation_id)
    await emailIndex('warm@example.org')
    const before = signBatchCounts()
    // A country code too long for its column fails whichever statement writes it.
    const settled = await Promise.allSettled(
      ([{}, { country: 'GBRX' }, {}] as Record<string, string>[]).map((values, index) =>
        signCampaignFromForm(
          { id: campaign.id, consentVersion: campaign.consent_version, organisation: { id: campaign.organisation_id } },
          input(values),
          { ip: `198.51.100.${70 + index}`, userAgent: 'test', locale: 'en' },
          rate(`batch:f${index}`),
        ),
      ),
    )
    const after = signBatchCounts()
    expect(after.batches - before.batches).toBe(1)
    expect(after.failedBatches - before.failedBatches).toBe(1)
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(await getDb().selectFrom('signatures').select('id').execute()).toHaveLength(2)
    expect(await queuedEmails('signature-confirmation')).toHaveLength(2)
    // The failed signer's hit was rolled back with their statement; the others' are counted.
    expect([await hits('batch:f0'), await hits('batch:f1'), await hits('batch:f2')]).toEqual([1, 0, 1])
  })

  it('with SIGN_BATCH_MAX=1 writes each signer alone, in no batch', async () => {
    const campaign = await createCampaign(getDb())
    const { results, batches } = await withBatchMax(1, () =>
      signTogether(
        campaign,
        Array.from({ length: 3 }, (_, index) => ({ ip: `198.51.100.${80 + index}`, bucket: `batch:g${index}` })),
      ),
    )
    expect(outcomes(results)).toEqual(['created', 'created', 'created'])
    expect(batches).toBe(0)
    expect(await queuedEmails('signature-confirmation')).toHaveLength(3)
  })
})

describe('signers in attack mode', () => {
  // A surge starts attack mode (decision 0030): the statements then spend each signer's solved
  // challenge, once, or hold the signature, as signCampaign's rules do, so the surge stays on them.
  async function solved(campaignId: string) {
    const challenge = await createSignChallenge(campaignId)
    const solution = await solveChallenge({ challenge, deriveKey })
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')
  }
  const states = async (campaignId: string) =>
    Object.fromEntries(
      (await getDb().selectFrom('signatures').select(['email_index', 'state', 'hold_reasons']).where('campaign_id', '=', campaignId).execute()).map((row) => [
        row.email_index,
        `${row.state} ${row.hold_reasons.join('+')}`.trim(),
      ]),
    )

  it('holds a signer without a solved challenge, and spends each challenge once, alone and in a batch', async () => {
    const campaign = await createCampaign(getDb())
    const other = await createCampaign(getDb())
    await setAttackMode(getDb(), { id: campaign.id, organisationId: campaign.organisation_id }, true, 'manual', null)
    const [x, y, elsewhere] = [await solved(campaign.id), await solved(campaign.id), await solved(other.id)]
    const signers = {
      noChallenge: { bucket: 'attack:a', values: { email: 'nojs@example.org' } },
      solved: { bucket: 'attack:b', values: { email: 'js@example.org', altcha: x } },
      replayed: { bucket: 'attack:c', values: { email: 'replay@example.org', altcha: x } },
      elsewhere: { bucket: 'attack:d', values: { email: 'elsewhere@example.org', altcha: elsewhere } },
    }
    // One at a time: the first two by the one-signer statement (SIGN_BATCH_MAX=1), the others by
    // the batch's statement as a batch of one, which finds the challenge the first statement spent.
    for (const [index, signer] of Object.values(signers).entries()) {
      const alone = await (index < 2 ? withBatchMax(1, () => signTogether(campaign, [signer])) : signTogether(campaign, [signer]))
      expect(outcomes(alone.results)).toEqual(['created'])
      expect(alone.batches).toBe(index < 2 ? 0 : 1)
    }
    // Together: the batch's statement, written directly (a signer's challenge is verified off the
    // event loop, so signers carrying one may join different batches). Two carry one fresh
    // challenge: the first spends it.
    const together = await Promise.all(
      [
        { bucket: 'attack:e', email: 'first@example.org', altcha: y },
        { bucket: 'attack:f', email: 'second@example.org', altcha: y },
        { bucket: 'attack:g', email: 'nojs2@example.org' },
        { bucket: 'attack:h', email: 'late-replay@example.org', altcha: x },
      ].map(({ bucket, email, altcha }, index) =>
        formSigner(
          campaign,
          { ...input({ email }), ...(altcha ? { altcha } : {}) },
          { ip: `203.0.113.${index + 1}`, userAgent: 'test', locale: 'en' },
          rate(bucket),
        ),
      ),
    )
    const rows = await signBatch(together)
    expect(rows.map((row) => [row.allowed, row.open, row.signature_id !== null])).toEqual(Array(4).fill([true, true, true]))
    const byEmail = await states(campaign.id)
    const stateOf = async (email: string) => byEmail[await emailIndex(email)]
    expect({
      nojs: await stateOf('nojs@example.org'),
      js: await stateOf('js@example.org'),
      replay: await stateOf('replay@example.org'),
      elsewhere: await stateOf('elsewhere@example.org'),
      first: await stateOf('first@example.org'),
      second: await stateOf('second@example.org'),
      nojs2: await stateOf('nojs2@example.org'),
      lateReplay: await stateOf('late-replay@example.org'),
    }).toEqual({
      nojs: 'held attack_mode',
      js: 'pending',
      replay: 'held attack_mode',
      elsewhere: 'held attack_mode',
      first: 'pending',
      second: 'held attack_mode',
      nojs2: 'held attack_mode',
      lateReplay: 'held attack_mode',
    })
    // Each signer is emailed, held or not; two challenges spent, once each.
    expect(await queuedEmails('signature-confirmation')).toHaveLength(8)
    expect(await getDb().selectFrom('spent_challenges').select('signature_hash').execute()).toHaveLength(2)
    // Out of attack mode a challenge is not needed, nor spent.
    const calm = await signTogether(other, [
      { bucket: 'attack:i', values: { email: 'calm@example.org' } },
      { bucket: 'attack:j', values: { email: 'calm2@example.org', altcha: await solved(other.id) } },
    ])
    expect(outcomes(calm.results)).toEqual(['created', 'created'])
    expect(Object.values(await states(other.id))).toEqual(['pending', 'pending'])
    expect(await getDb().selectFrom('spent_challenges').select('signature_hash').execute()).toHaveLength(2)
  })

  it('spends no challenge for a signer the rate limit refuses', async () => {
    const campaign = await createCampaign(getDb())
    await setAttackMode(getDb(), { id: campaign.id, organisationId: campaign.organisation_id }, true, 'manual', null)
    const payload = await solved(campaign.id)
    const { results } = await signTogether(campaign, [
      { bucket: 'attack:k', limit: 1, values: { email: 'one@example.org' } },
      { bucket: 'attack:k', limit: 1, values: { email: 'two@example.org', altcha: payload } },
    ])
    expect(outcomes(results)).toEqual(['created', 'rate-limited'])
    expect(await getDb().selectFrom('spent_challenges').select('signature_hash').execute()).toEqual([])
    // The challenge is still good for a signer let through.
    const alone = await signTogether(campaign, [{ bucket: 'attack:l', values: { email: 'two@example.org', altcha: payload } }])
    expect(outcomes(alone.results)).toEqual(['created'])
    expect(Object.values(await states(campaign.id)).sort()).toEqual(['held attack_mode', 'pending'])
  })
})

describe('the sign statements’ connections', () => {
  // Both statements run through executePlanned (decision 0050), whose connections name themselves
  // apart: each one's last statement is in pg_stat_activity, the latest first.
  const lastStatements = async () => {
    const { rows } = await sql<{ query: string }>`
      select query from pg_stat_activity
      where datname = current_database() and application_name = ${PLANNED_APPLICATION_NAME} and state = 'idle'
      order by query_start desc`.execute(getDb())
    return rows.map((row) => row.query)
  }

  it('writes a lone signer and a batch of signers with the batch’s statement, and SIGN_BATCH_MAX=1 with the one-signer statement, on their own connections', async () => {
    const campaign = await createCampaign(getDb())
    const oneSigner = (query: string) => query.includes('hold as (') && !query.includes('jsonb_to_recordset')
    const alone = await withBatchMax(1, () => signTogether(campaign, [{ bucket: 'plan:alone' }]))
    expect(outcomes(alone.results)).toEqual(['created'])
    expect(oneSigner((await lastStatements())[0]!)).toBe(true)

    // A lone signer otherwise takes the batch's statement, whose plan is kept for a second: planning
    // the one-signer statement for each run cost PostgreSQL about twice as much (decision 0050).
    const loneInBatch = await signTogether(campaign, [{ ip: '198.51.100.19', bucket: 'plan:lone' }])
    expect(outcomes(loneInBatch.results)).toEqual(['created'])
    expect(loneInBatch.batches).toBe(1)
    expect((await lastStatements())[0]).toContain('jsonb_to_recordset')

    const together = await signTogether(
      campaign,
      Array.from({ length: 4 }, (_, index) => ({ ip: `198.51.100.${index + 20}`, bucket: `plan:b${index}` })),
    )
    expect(together.batches).toBe(1)
    expect((await lastStatements())[0]).toContain('jsonb_to_recordset')
  })
})
