import { parseWithZod } from '@conform-to/zod'
import { describe, expect, it } from 'vitest'
import { createCampaign, uniqueEmail } from '../../tests/support/factories'
import { queuedJobs, queuedEmails } from '../../tests/support/jobs'
import { emailIndex, open } from '~/models/data-key.server'
import { getDb } from '~/utils/db.server'
import { hashToken } from '~/utils/security.server'
import {
  MAX_SENDS_PER_DAY,
  SignCampaignServerSchema,
  canonicalEmail,
  confirmSignature,
  getPendingSignatureByToken,
  signCampaign,
  signCampaignFromForm,
} from './signature.server'

const context = { ip: '203.0.113.7', userAgent: 'test', locale: 'en' as const }
const input = (overrides: Record<string, string> = {}) => ({
  fullName: 'Ada Lovelace',
  email: uniqueEmail(),
  country: 'GB',
  ...overrides,
})

function parse(values: Record<string, string>) {
  const form = new FormData()
  for (const [key, value] of Object.entries(values)) form.append(key, value)
  return parseWithZod(form, { schema: SignCampaignServerSchema })
}

async function signAndGetToken(campaign: { id: string; consent_version: string }, values = input()) {
  const result = await signCampaign({ id: campaign.id, consentVersion: campaign.consent_version }, values, context)
  const jobs = await queuedEmails('signature-confirmation')
  return { result, token: jobs.at(-1)?.payload.token as string }
}

describe('canonicalEmail', () => {
  it('lower-cases, trims and strips +tags', () => {
    expect(canonicalEmail('  Ada+petitions@Example.ORG ')).toBe('ada@example.org')
  })
  it('removes dots for Gmail-style domains and folds googlemail into gmail', () => {
    expect(canonicalEmail('a.d.a+x@gmail.com')).toBe('ada@gmail.com')
    expect(canonicalEmail('A.DA@googlemail.com')).toBe('ada@gmail.com')
  })
  it('keeps dots for other domains', () => {
    expect(canonicalEmail('a.da@example.org')).toBe('a.da@example.org')
  })
})

describe('the sign form schema', () => {
  it('accepts a valid signature and normalises the email and country', () => {
    const submission = parse({ fullName: ' Ada ', email: ' ADA@Example.org ', country: 'gb', postcode: 'SW1A 1AA' })
    expect(submission.status).toBe('success')
    if (submission.status === 'success') {
      expect(submission.value).toMatchObject({ fullName: 'Ada', email: 'ada@example.org', country: 'GB' })
    }
  })

  it('takes a postcode of spaces as none, and reports every name rule a name breaks', () => {
    const submission = parse({ fullName: 'Ada', email: 'ada@example.org', country: 'GB', postcode: '   ' })
    expect(submission.status).toBe('success')
    if (submission.status === 'success') expect(submission.value.postcode).toBeUndefined()
    const both = parse({ fullName: '=https://spam.example', email: 'ada@example.org', country: 'GB' })
    expect(both.status === 'error' ? both.error?.fullName : undefined).toEqual(['sign.error.nameUrl', 'sign.error.nameFormula'])
  })

  it('shortens over-long tracking fields instead of refusing the signature', () => {
    const submission = parse({ fullName: 'Ada', email: 'ada@example.org', country: 'GB', utmSource: 'x'.repeat(300) })
    expect(submission.status).toBe('success')
    if (submission.status === 'success') expect(submission.value.utmSource).toHaveLength(100)
  })

  it.each([
    ['an empty name', { fullName: '' }, 'fullName', 'sign.error.nameRequired'],
    ['a name over 100 characters', { fullName: 'a'.repeat(101) }, 'fullName', 'sign.error.nameTooLong'],
    ['a name with a URL', { fullName: 'Visit https://spam.example' }, 'fullName', 'sign.error.nameUrl'],
    ['a name starting with =', { fullName: '=HYPERLINK("x")' }, 'fullName', 'sign.error.nameFormula'],
    ['a name starting with +', { fullName: '+1 Ada' }, 'fullName', 'sign.error.nameFormula'],
    ['a name starting with -', { fullName: '-Ada' }, 'fullName', 'sign.error.nameFormula'],
    ['a name starting with @', { fullName: '@Ada' }, 'fullName', 'sign.error.nameFormula'],
    ['a malformed email', { email: 'not-an-email' }, 'email', 'sign.error.emailInvalid'],
    ['an email over 254 characters', { email: `${'a'.repeat(64)}@${'b'.repeat(186)}.org` }, 'email', 'sign.error.emailTooLong'],
    ['a country not in the list', { country: 'XX' }, 'country', 'sign.error.countryRequired'],
    ['no country', { country: '' }, 'country', 'sign.error.countryRequired'],
    ['a postcode over 16 characters', { postcode: '12345678901234567' }, 'postcode', 'sign.error.postcodeTooLong'],
    // Empty once cleaned: the field's own message, not zod's untranslated "Required".
    ['a name of spaces', { fullName: '   ' }, 'fullName', 'sign.error.nameRequired'],
    ['a name of invisible characters', { fullName: '\u200b\u2060' }, 'fullName', 'sign.error.nameRequired'],
    ['a country of spaces', { country: '  ' }, 'country', 'sign.error.countryRequired'],
    ['a name with a URL at its start', { fullName: '=https://spam.example' }, 'fullName', 'sign.error.nameFormula'],
  ])('rejects %s', (_label, overrides, field, message) => {
    const submission = parse({ fullName: 'Ada', email: 'ada@example.org', country: 'GB', ...overrides })
    expect(submission.status).toBe('error')
    const errors = submission.status === 'error' ? submission.error : undefined
    expect(errors?.[field]).toContain(message)
  })
})

describe('signCampaign', () => {
  it('creates a pending signature, stores only hashes, and queues the confirmation in the same transaction', async () => {
    const campaign = await createCampaign(getDb())
    const values = input({ email: 'Ada.Lovelace+cause@Gmail.com', postcode: 'sw1a 1aa' })
    const { result, token } = await signAndGetToken(campaign, { ...values, email: values.email.toLowerCase() })
    expect(result.outcome).toBe('created')
    const row = await getDb().selectFrom('signatures').selectAll().where('id', '=', result.signatureId!).executeTakeFirstOrThrow()
    // Name, address and postcode are sealed; the canonical address is known only by its blind index.
    expect(row.email).toMatch(/^v\d+:/)
    expect(row.full_name).toMatch(/^v\d+:/)
    expect(await open(row.email)).toBe('ada.lovelace+cause@gmail.com')
    expect(await open(row.postcode!)).toBe('SW1A 1AA')
    expect(row.email_index).toBe(await emailIndex('adalovelace@gmail.com'))
    expect(row.email_index).not.toContain('ada')
    expect(row).toMatchObject({
      state: 'pending',
      consent_updates: false,
      consent_show_name: false,
      consent_version: campaign.consent_version,
      locale: 'en',
    })
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/) // 256 bits
    expect(row.confirmation_token_hash).toEqual(hashToken(token))
    expect(row.ip_hash).toHaveLength(32)
    expect(row.ip_hash!.toString('utf8')).not.toContain('203.0.113.7')
    const { rows } = await getDb()
      .selectFrom('signatures')
      .select('ip_hash')
      .execute()
      .then((r) => ({ rows: r }))
    expect(JSON.stringify(rows)).not.toContain('203.0.113.7')
  })

  it('keeps one signature per canonical email and re-sends the confirmation with a new token', async () => {
    const campaign = await createCampaign(getDb())
    const first = await signAndGetToken(campaign, input({ email: 'ada@gmail.com' }))
    const second = await signAndGetToken(campaign, input({ email: 'a.d.a+again@gmail.com' }))
    expect(second.result).toEqual({ outcome: 'resent', signatureId: first.result.signatureId })
    expect(second.token).not.toBe(first.token)
    expect(await getPendingSignatureByToken(first.token)).toBeNull()
    expect(await getPendingSignatureByToken(second.token)).not.toBeNull()
    const count = await getDb()
      .selectFrom('signatures')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(1)
  })

  it(`sends at most ${MAX_SENDS_PER_DAY} emails per signature per day`, async () => {
    const campaign = await createCampaign(getDb())
    const values = input()
    const outcomes = []
    for (let i = 0; i < 5; i++) outcomes.push((await signAndGetToken(campaign, values)).result.outcome)
    expect(outcomes).toEqual(['created', 'resent', 'resent', 'throttled', 'throttled'])
    expect(await queuedEmails('signature-confirmation')).toHaveLength(3)
    // A day later the allowance is back.
    await getDb()
      .updateTable('signatures')
      .set({ send_window_started_at: new Date(Date.now() - 25 * 3600_000) })
      .execute()
    expect((await signAndGetToken(campaign, values)).result.outcome).toBe('resent')
  })

  it('sends an "already signed" email when a confirmed signer signs again', async () => {
    const campaign = await createCampaign(getDb())
    const values = input()
    const { token } = await signAndGetToken(campaign, values)
    expect((await confirmSignature(token)).status).toBe('confirmed')
    const again = await signCampaign({ id: campaign.id, consentVersion: 'v' }, values, context)
    expect(again.outcome).toBe('already-confirmed')
    expect(await queuedEmails('already-signed')).toHaveLength(1)
    const row = await getDb().selectFrom('signatures').select('state').executeTakeFirstOrThrow()
    expect(row.state).toBe('confirmed')
  })

  it('ignores a submission that filled in the honeypot', async () => {
    const campaign = await createCampaign(getDb())
    const result = await signCampaign({ id: campaign.id, consentVersion: 'v' }, { ...input(), website: 'http://spam' }, context)
    expect(result.outcome).toBe('ignored')
    expect(await getDb().selectFrom('signatures').selectAll().execute()).toHaveLength(0)
    expect(await queuedJobs()).toHaveLength(0)
  })

  it('records consents and tracking fields', async () => {
    const campaign = await createCampaign(getDb())
    const { result } = await signAndGetToken(campaign, {
      ...input(),
      consentUpdates: 'on',
      consentShowName: 'on',
      source: 'newsletter',
      utmSource: 'mastodon',
      utmMedium: 'social',
      utmCampaign: 'launch',
    } as never)
    const row = await getDb().selectFrom('signatures').selectAll().where('id', '=', result.signatureId!).executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      consent_updates: true,
      consent_show_name: true,
      source: 'newsletter',
      utm_source: 'mastodon',
      utm_medium: 'social',
      utm_campaign: 'launch',
    })
  })
})

describe('confirmSignature', () => {
  it('confirms once: the token is single use and the campaign row is untouched', async () => {
    const campaign = await createCampaign(getDb())
    const { token, result } = await signAndGetToken(campaign)
    const before = await getDb().selectFrom('campaigns').selectAll().where('id', '=', campaign.id).executeTakeFirstOrThrow()
    expect(await confirmSignature(token)).toEqual({
      status: 'confirmed',
      signatureId: result.signatureId,
      campaignId: campaign.id,
      campaignSlug: campaign.slug,
    })
    expect(await confirmSignature(token)).toEqual({ status: 'invalid' })
    const after = await getDb().selectFrom('campaigns').selectAll().where('id', '=', campaign.id).executeTakeFirstOrThrow()
    expect(after).toEqual(before)
    const row = await getDb().selectFrom('signatures').selectAll().executeTakeFirstOrThrow()
    expect(row.state).toBe('confirmed')
    expect(row.confirmed_at).toBeInstanceOf(Date)
    expect(row.confirmation_token_hash).toBeNull()
    expect(await queuedEmails('signature-thanks')).toHaveLength(1)
  })

  it('rejects unknown and malformed tokens', async () => {
    expect(await confirmSignature('x'.repeat(43))).toEqual({ status: 'invalid' })
    expect(await confirmSignature("'; drop table signatures; --")).toEqual({ status: 'invalid' })
    expect(await getPendingSignatureByToken('')).toBeNull()
  })

  it('does not confirm on a closed campaign', async () => {
    const campaign = await createCampaign(getDb())
    const { token } = await signAndGetToken(campaign)
    await getDb().updateTable('campaigns').set({ status: 'closed' }).where('id', '=', campaign.id).execute()
    expect((await confirmSignature(token)).status).toBe('closed')
    const row = await getDb().selectFrom('signatures').select('state').executeTakeFirstOrThrow()
    expect(row.state).toBe('pending')
  })
})

describe('signCampaignFromForm: the sign form in one statement (decision 0020)', () => {
  const rate = (bucket: string, limit = 2) => ({ bucket, limit, windowSeconds: 3600 })
  const hits = async (bucket: string) => (await getDb().selectFrom('rate_limits').select('hits').where('bucket', '=', bucket).executeTakeFirst())?.hits ?? 0

  it('counts the hit, records the signature and queues its confirmation together, the token only in the email', async () => {
    const campaign = await createCampaign(getDb())
    const values = input()
    const result = await signCampaignFromForm({ id: campaign.id, consentVersion: campaign.consent_version }, values, context, rate('sign:a'))
    expect(result.outcome).toBe('created')
    const signature = await getDb().selectFrom('signatures').selectAll().executeTakeFirstOrThrow()
    expect(signature).toMatchObject({ state: 'pending', email_index: await emailIndex(values.email), hold_reasons: [], sends_in_window: 1 })
    expect([await open(signature.full_name), await open(signature.email)]).toEqual([values.fullName, values.email])
    const [email] = await queuedEmails('signature-confirmation')
    expect(email!.payload.signatureId).toBe(signature.id)
    expect(signature.confirmation_token_hash).toEqual(hashToken(email!.payload.token as string))
    expect((await confirmSignature(email!.payload.token as string)).status).toBe('confirmed')
    expect(await hits('sign:a')).toBe(1)
  })

  it('past the limit writes neither signature nor email, and says when to come back', async () => {
    const campaign = await createCampaign(getDb())
    const sign = () => signCampaignFromForm({ id: campaign.id, consentVersion: campaign.consent_version }, input(), context, rate('sign:b', 1))
    expect((await sign()).outcome).toBe('created')
    const refused = await sign()
    expect(refused).toMatchObject({ outcome: 'rate-limited' })
    expect(refused.outcome === 'rate-limited' && refused.retryAfterSeconds).toBeGreaterThan(0)
    expect(await getDb().selectFrom('signatures').select('id').execute()).toHaveLength(1)
    expect(await queuedEmails('signature-confirmation')).toHaveLength(1)
  })

  it('holds by the integrity rules as the general path does, and answers a repeat signer through it', async () => {
    const campaign = await createCampaign(getDb(), { integrity_address_hourly_limit: 1 })
    const first = input()
    const sign = (values: ReturnType<typeof input>) =>
      signCampaignFromForm({ id: campaign.id, consentVersion: campaign.consent_version }, values, context, rate('sign:c', 10))
    expect((await sign(first)).outcome).toBe('created')
    expect((await sign(input())).outcome).toBe('created')
    const states = await getDb().selectFrom('signatures').select(['state', 'hold_reasons']).orderBy('id').execute()
    expect(states).toEqual([
      { state: 'pending', hold_reasons: [] },
      { state: 'held', hold_reasons: ['address_rate'] },
    ])
    expect((await sign(first)).outcome).toBe('resent')
    expect(await hits('sign:c')).toBe(3)
  })

  it('refuses a campaign closed since the caller read it, writing nothing but the hit, and takes the consent version from the row', async () => {
    const campaign = await createCampaign(getDb(), { consent_version: 'v2' })
    const asRead = { id: campaign.id, consentVersion: 'v1-as-read-a-moment-ago' }
    expect((await signCampaignFromForm(asRead, input(), context, rate('sign:d', 10))).outcome).toBe('created')
    expect(await getDb().selectFrom('signatures').select('consent_version').executeTakeFirstOrThrow()).toEqual({ consent_version: 'v2' })

    await getDb().updateTable('campaigns').set({ status: 'closed' }).where('id', '=', campaign.id).execute()
    expect(await signCampaignFromForm(asRead, input(), context, rate('sign:d', 10))).toEqual({ outcome: 'closed', signatureId: null })
    await getDb()
      .updateTable('campaigns')
      .set({ status: 'live', closes_at: new Date(Date.now() - 1000) })
      .where('id', '=', campaign.id)
      .execute()
    expect((await signCampaignFromForm(asRead, input(), context, rate('sign:d', 10))).outcome).toBe('closed')
    await getDb()
      .updateTable('campaigns')
      .set({ closes_at: null, opens_at: new Date(Date.now() + 60_000) })
      .where('id', '=', campaign.id)
      .execute()
    expect((await signCampaignFromForm(asRead, input(), context, rate('sign:d', 10))).outcome).toBe('closed')

    expect(await getDb().selectFrom('signatures').select('id').execute()).toHaveLength(1)
    expect(await queuedEmails('signature-confirmation')).toHaveLength(1)
    expect(await hits('sign:d')).toBe(4)
  })
})
