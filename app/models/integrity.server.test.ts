import { solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/sha'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createCampaign } from '../../tests/support/factories'
import { queuedEmails } from '../../tests/support/jobs'
import { buildSignatureEmail } from '~/models/signature-email.server'
import { getDb } from '~/utils/db.server'
import { createSignChallenge, detectSigningSurges, isDisposableDomain, setAttackMode } from './integrity.server'
import { foldConfirmedSignatures, reconcileSignatureCounts } from './signature-count.server'
import { confirmSignature, signCampaign } from './signature.server'

let serial = 0
const ip = () => `198.51.${Math.floor(++serial / 250) % 250}.${serial % 250}`

async function sign(
  campaign: { id: string; consent_version: string },
  email: string,
  options: { ip?: string; altcha?: string; channel?: 'form' | 'api' } = {},
) {
  return await signCampaign(
    { id: campaign.id, consentVersion: campaign.consent_version },
    { fullName: 'A Signer', email, country: 'GB', ...(options.altcha ? { altcha: options.altcha } : {}) },
    { ip: options.ip ?? ip(), userAgent: 'test', locale: 'en', channel: options.channel },
  )
}

async function stateOf(signatureId: string | null) {
  return await getDb()
    .selectFrom('signatures')
    .select(['state', 'hold_reasons', 'confirmed_at', 'email_domain'])
    .where('id', '=', signatureId!)
    .executeTakeFirstOrThrow()
}

async function statesOf(campaignId: string) {
  const rows = await getDb().selectFrom('signatures').select(['state']).where('campaign_id', '=', campaignId).execute()
  return rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.state]: (acc[r.state] ?? 0) + 1 }), {})
}

async function tokenFor(signatureId: string) {
  const jobs = await queuedEmails('signature-confirmation')
  return jobs.filter((j) => j.payload.signatureId === signatureId).at(-1)!.payload.token as string
}

async function solved(campaignId: string) {
  const challenge = await createSignChallenge(campaignId)
  const solution = await solveChallenge({ challenge, deriveKey })
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')
}

async function countOf(campaignId: string) {
  while ((await foldConfirmedSignatures()).folded > 0);
  const row = await getDb().selectFrom('campaigns').select('signature_count').where('id', '=', campaignId).executeTakeFirstOrThrow()
  return row.signature_count
}

describe('the integrity rules', () => {
  it('count a realistic mix of real signers in full', async () => {
    const campaign = await createCampaign(getDb())
    const emails: string[] = []
    // Large providers well over the domain limit, organisations' own domains under it, a few
    // small domains, and an office whose five staff share one client address.
    const providers = ['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'yandex.ru', 'mail.ru', 'icloud.com', 'proton.me', 'gmx.de', 'web.de']
    for (let i = 0; i < 30; i++) emails.push(`person${i}@${providers[i % providers.length]}`)
    for (let i = 0; i < 55; i++) emails.push(`friend${i}@gmail.com`)
    for (let i = 0; i < 50; i++) emails.push(`staff${i}@amnesty.example`)
    for (let i = 0; i < 20; i++) emails.push(`member${i}@memorial.example`)
    for (let i = 0; i < 10; i++) emails.push(`someone@family${i}.example`)
    const office = '192.0.2.10'
    const ids: string[] = []
    for (const [n, email] of emails.entries()) {
      const result = await sign(campaign, email, n < 5 ? { ip: office } : {})
      expect(result.outcome).toBe('created')
      ids.push(result.signatureId!)
    }
    expect(await statesOf(campaign.id)).toEqual({ pending: emails.length })
    for (const id of ids) expect((await confirmSignature(await tokenFor(id))).status).toBe('confirmed')
    expect(await countOf(campaign.id)).toBe(emails.length)
    const gmail = await getDb().selectFrom('signatures').select('email_domain').where('id', '=', ids[0]!).executeTakeFirstOrThrow()
    expect(gmail.email_domain).toBe('gmail.com')
  }, 60_000)

  it('hold disposable addresses, unless the campaign says not to', async () => {
    expect(isDisposableDomain('mailinator.com')).toBe(true)
    expect(isDisposableDomain('gmail.com')).toBe(false)
    expect(isDisposableDomain('amnesty.org')).toBe(false)
    const campaign = await createCampaign(getDb())
    const held = await sign(campaign, 'throwaway@mailinator.com')
    expect(await stateOf(held.signatureId)).toMatchObject({ state: 'held', hold_reasons: ['disposable'] })
    const fine = await sign(campaign, 'real@amnesty.example')
    expect(await stateOf(fine.signatureId)).toMatchObject({ state: 'pending', hold_reasons: [] })

    const relaxed = await createCampaign(getDb(), { integrity_hold_disposable: false })
    const kept = await sign(relaxed, 'throwaway@mailinator.com')
    expect(await stateOf(kept.signatureId)).toMatchObject({ state: 'pending', hold_reasons: [] })
  })

  it('hold a single-domain flood beyond the hourly limit, but never a large provider', async () => {
    const campaign = await createCampaign(getDb())
    const other = await createCampaign(getDb())
    for (let i = 0; i < 50; i++) expect((await stateOf((await sign(campaign, `bot${i}@flood.example`)).signatureId)).state).toBe('pending')
    const over = await sign(campaign, 'bot50@flood.example')
    expect(await stateOf(over.signatureId)).toMatchObject({ state: 'held', hold_reasons: ['domain_rate'] })
    // Per campaign: another campaign's signers from the same domain are not affected.
    expect((await stateOf((await sign(other, 'bot51@flood.example')).signatureId)).state).toBe('pending')
    // Signatures older than an hour no longer count against the domain.
    await sql`update signatures set created_at = now() - interval '61 minutes' where campaign_id = ${campaign.id}`.execute(getDb())
    expect((await stateOf((await sign(campaign, 'bot52@flood.example')).signatureId)).state).toBe('pending')
    // Large providers are exempt.
    for (let i = 0; i < 60; i++) await sign(campaign, `someone${i}@gmail.com`)
    expect(await statesOf(campaign.id)).toEqual({ pending: 111, held: 1 })
  })

  it('follow a per-campaign domain limit', async () => {
    const campaign = await createCampaign(getDb(), { integrity_domain_hourly_limit: 3 })
    for (let i = 0; i < 5; i++) await sign(campaign, `bot${i}@flood.example`)
    expect(await statesOf(campaign.id)).toEqual({ pending: 3, held: 2 })
  })

  it('hold a single-address flood beyond the hourly limit, on forms but not from the API', async () => {
    const campaign = await createCampaign(getDb())
    const address = '203.0.113.99'
    for (let i = 0; i < 5; i++) await sign(campaign, `person${i}@example${i}.org`, { ip: address })
    const over = await sign(campaign, 'person5@example5.org', { ip: address })
    expect(await stateOf(over.signatureId)).toMatchObject({ state: 'held', hold_reasons: ['address_rate'] })
    expect((await stateOf((await sign(campaign, 'other@example.net')).signatureId)).state).toBe('pending')
    // An integration's server signs many people from one address: the API is not held for it.
    const api = await sign(campaign, 'crm-contact@example.com', { ip: address, channel: 'api' })
    expect((await stateOf(api.signatureId)).state).toBe('pending')
    expect(await statesOf(campaign.id)).toEqual({ pending: 7, held: 1 })
  })

  it('hold signatures without a solved challenge in attack mode, and count each challenge once', async () => {
    const campaign = await createCampaign(getDb())
    const other = await createCampaign(getDb())
    expect(await setAttackMode(getDb(), { id: campaign.id, organisationId: campaign.organisation_id }, true, 'manual', null)).toBe(true)
    const without = await sign(campaign, 'nojs@example.org')
    expect(await stateOf(without.signatureId)).toMatchObject({ state: 'held', hold_reasons: ['attack_mode'] })
    const payload = await solved(campaign.id)
    const withJs = await sign(campaign, 'js@example.org', { altcha: payload })
    expect(await stateOf(withJs.signatureId)).toMatchObject({ state: 'pending', hold_reasons: [] })
    const replayed = await sign(campaign, 'replay@example.org', { altcha: payload })
    expect(await stateOf(replayed.signatureId)).toMatchObject({ state: 'held', hold_reasons: ['attack_mode'] })
    const forged = await sign(campaign, 'forged@example.org', { altcha: Buffer.from('{"challenge":{"parameters":{}},"solution":{}}').toString('base64') })
    expect((await stateOf(forged.signatureId)).state).toBe('held')
    const elsewhere = await sign(campaign, 'elsewhere@example.org', { altcha: await solved(other.id) })
    expect((await stateOf(elsewhere.signatureId)).state).toBe('held')
    // Not in attack mode: no challenge needed.
    expect((await stateOf((await sign(other, 'calm@example.org')).signatureId)).state).toBe('pending')
    const audit = await getDb().selectFrom('audit_events').select(['action']).where('subject_id', '=', campaign.id).execute()
    expect(audit.map((a) => a.action)).toContain('campaign.attack_mode_started')
  })
})

describe('a held signer', () => {
  it('is answered, emailed and confirmed like anyone else, but not counted until released', async () => {
    const campaign = await createCampaign(getDb())
    const normal = await sign(campaign, 'normal@example.org')
    const held = await sign(campaign, 'held@mailinator.com')
    expect(held.outcome).toBe(normal.outcome)
    expect((await stateOf(held.signatureId)).state).toBe('held')

    const normalToken = await tokenFor(normal.signatureId!)
    const heldToken = await tokenFor(held.signatureId!)
    const [normalEmail, heldEmail] = await Promise.all([
      buildSignatureEmail('signature-confirmation', normal.signatureId!, normalToken),
      buildSignatureEmail('signature-confirmation', held.signatureId!, heldToken),
    ])
    expect(heldEmail?.subject).toBe(normalEmail?.subject)
    expect(heldEmail?.text?.replaceAll(heldToken, 'TOKEN')).toBe(normalEmail?.text?.replaceAll(normalToken, 'TOKEN'))

    const normalConfirm = await confirmSignature(normalToken)
    const heldConfirm = await confirmSignature(heldToken)
    expect(heldConfirm.status).toBe(normalConfirm.status)
    expect(await stateOf(held.signatureId)).toMatchObject({ state: 'held' })
    expect((await stateOf(held.signatureId)).confirmed_at).not.toBeNull()
    // The same thank-you email (the count shown includes the signer, as for anyone just confirmed).
    const [normalThanks, heldThanks] = await Promise.all([
      buildSignatureEmail('signature-thanks', normal.signatureId!),
      buildSignatureEmail('signature-thanks', held.signatureId!),
    ])
    expect(heldThanks?.subject).toBe(normalThanks?.subject)
    expect(heldThanks).not.toBeNull()
    // Signing again: the same outcome as a confirmed signer ("already signed").
    expect((await sign(campaign, 'held@mailinator.com')).outcome).toBe((await sign(campaign, 'normal@example.org')).outcome)
    expect(await buildSignatureEmail('already-signed', held.signatureId!)).not.toBeNull()

    expect(await countOf(campaign.id)).toBe(1)
    expect(await reconcileSignatureCounts()).toEqual([])
  })
})

describe('attack mode by signing rate', () => {
  it('starts when signing jumps far above the usual rate and ends when it falls back', async () => {
    const campaign = await createCampaign(getDb())
    const steady = await createCampaign(getDb())
    // The usual rate: 230 signatures spread over the day before (about 0.17 a minute).
    for (const c of [campaign, steady]) {
      await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, created_at)
        select ${c.id}, 'Usual', 'usual' || n || '@example.org', 'usual' || n || '@example.org', 'GB', 'test', now() - interval '2 hours' - n * interval '6 minutes'
        from generate_series(1, 230) n`.execute(getDb())
    }
    // A surge: 300 in the last ten minutes (30 a minute), on one campaign only.
    await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, created_at)
      select ${campaign.id}, 'Surge', 'surge' || n || '@example.org', 'surge' || n || '@example.org', 'GB', 'test', now() - n * interval '1 second'
      from generate_series(1, 300) n`.execute(getDb())
    const started = await detectSigningSurges()
    expect(started.filter((c) => c.campaignId === campaign.id || c.campaignId === steady.id)).toMatchObject([{ campaignId: campaign.id, started: true }])
    const row = await getDb()
      .selectFrom('campaigns')
      .select(['attack_mode_started_at', 'attack_mode_origin'])
      .where('id', '=', campaign.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ attack_mode_origin: 'auto' })
    expect(row.attack_mode_started_at).not.toBeNull()
    // Still surging: nothing changes.
    expect((await detectSigningSurges()).filter((c) => c.campaignId === campaign.id)).toEqual([])

    // The surge passes.
    await sql`update signatures set created_at = now() - interval '30 minutes' where campaign_id = ${campaign.id} and full_name = 'Surge'`.execute(getDb())
    expect((await detectSigningSurges()).filter((c) => c.campaignId === campaign.id)).toMatchObject([{ started: false }])
    const audit = await getDb().selectFrom('audit_events').select(['action', 'actor_user_id']).where('subject_id', '=', campaign.id).orderBy('id').execute()
    expect(audit).toEqual([
      { action: 'campaign.attack_mode_started', actor_user_id: null },
      { action: 'campaign.attack_mode_ended', actor_user_id: null },
    ])
  })

  it('leaves attack mode a campaigner switched on until they switch it off', async () => {
    const campaign = await createCampaign(getDb())
    await setAttackMode(getDb(), { id: campaign.id, organisationId: campaign.organisation_id }, true, 'manual', null)
    expect((await detectSigningSurges()).filter((c) => c.campaignId === campaign.id)).toEqual([])
    const row = await getDb().selectFrom('campaigns').select('attack_mode_started_at').where('id', '=', campaign.id).executeTakeFirstOrThrow()
    expect(row.attack_mode_started_at).not.toBeNull()
  })
})
