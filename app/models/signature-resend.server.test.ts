import { describe, expect, it } from 'vitest'
import { createCampaign, uniqueEmail } from '../../tests/support/factories'
import { queuedEmails } from '../../tests/support/jobs'
import { getDb } from '~/utils/db.server'
import { emailIndex, open } from './data-key.server'
import { correctSignatureEmail, resendSignatureEmail } from './signature-resend.server'
import { MAX_SENDS_PER_DAY, signCampaign } from './signature.server'

const context = { ip: '203.0.113.7', userAgent: 'test', locale: 'en' as const }

async function sign(email = uniqueEmail()) {
  const campaign = await createCampaign(getDb())
  const signed = await signCampaign({ id: campaign.id, consentVersion: campaign.consent_version }, { fullName: 'Ada Lovelace', email, country: 'GB' }, context)
  return { campaign, email, signatureId: signed.signatureId! }
}

const row = (id: string) => getDb().selectFrom('signatures').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

describe('resendSignatureEmail', () => {
  it('sends a new confirmation link, at most three emails a day in all', async () => {
    const { campaign, email } = await sign()
    const outcomes = []
    for (let i = 0; i < MAX_SENDS_PER_DAY; i++) outcomes.push(await resendSignatureEmail(campaign.id, email))
    expect(outcomes).toEqual(['resent', 'resent', 'throttled'])
    expect(await queuedEmails('signature-confirmation')).toHaveLength(3)
  })

  it('does nothing for an address that has not signed', async () => {
    const { campaign } = await sign()
    expect(await resendSignatureEmail(campaign.id, uniqueEmail())).toBe('ignored')
  })
})

describe('correctSignatureEmail', () => {
  it('moves the pending signature to the corrected address with a fresh link', async () => {
    const { campaign, signatureId } = await sign('ada@exmaple.org')
    const before = await row(signatureId)
    const right = uniqueEmail()
    expect(await correctSignatureEmail(campaign.id, signatureId, right)).toEqual({ outcome: 'resent', signatureId })
    const after = await row(signatureId)
    expect(after).toMatchObject({ email_index: await emailIndex(right), email_domain: 'example.org', state: 'pending' })
    expect(await open(after.email)).toBe(right)
    expect(after.confirmation_token_hash).not.toEqual(before.confirmation_token_hash)
  })

  it('never moves a confirmed signature', async () => {
    const { campaign, signatureId, email } = await sign()
    await getDb().updateTable('signatures').set({ state: 'confirmed', confirmed_at: new Date() }).where('id', '=', signatureId).execute()
    expect(await correctSignatureEmail(campaign.id, signatureId, uniqueEmail())).toEqual({ outcome: 'ignored', signatureId: null })
    expect(await open((await row(signatureId)).email)).toBe(email)
  })

  it('leaves another signature alone when the corrected address has signed already', async () => {
    const { campaign, signatureId, email } = await sign()
    const other = uniqueEmail()
    await signCampaign({ id: campaign.id, consentVersion: campaign.consent_version }, { fullName: 'Grace Hopper', email: other, country: 'GB' }, context)
    const result = await correctSignatureEmail(campaign.id, signatureId, other)
    expect(result).toEqual({ outcome: 'resent', signatureId: null })
    expect(await open((await row(signatureId)).email)).toBe(email)
  })
})
