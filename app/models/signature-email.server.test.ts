import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { getDb } from '~/utils/db.server'
import type { PublicCampaign } from '~/models/campaign.server'
import { buildSignatureEmail } from './signature-email.server'

describe('buildSignatureEmail', () => {
  it('reads a campaign once for a batch of its emails, per language, and writes each email to its own signer', async () => {
    const campaign = await createCampaign(getDb(), { title: 'Free them now' })
    const signers = await Promise.all(
      ['en', 'en', 'ru'].map((locale, i) => createSignature(getDb(), { campaign_id: campaign.id, locale, email: `batch-${i}-${campaign.id}@example.org` })),
    )
    const campaigns = new Map<string, Promise<PublicCampaign | null>>()
    const emails = await Promise.all(signers.map((signer) => buildSignatureEmail('signature-confirmation', signer.id, 'a-token', campaigns)))
    expect([...campaigns.keys()].sort()).toEqual([`${campaign.id}/en`, `${campaign.id}/ru`])
    expect(emails.map((email) => email?.to)).toEqual(signers.map((_, i) => `batch-${i}-${campaign.id}@example.org`))
    expect(emails.every((email) => email?.html.includes('Free them now'))).toBe(true)
    expect(emails.map((email) => email?.locale)).toEqual(['en', 'en', 'ru'])
  })
})
