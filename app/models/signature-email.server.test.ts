import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { getDb } from '~/utils/db.server'
import { buildSignatureEmail, newSignatureEmailBatch } from './signature-email.server'

describe('buildSignatureEmail', () => {
  it('reads a campaign once for a batch of its emails, per language, and writes each email to its own signer', async () => {
    const campaign = await createCampaign(getDb(), { title: 'Free them now' })
    const signers = await Promise.all(
      ['en', 'en', 'ru'].map((locale, i) => createSignature(getDb(), { campaign_id: campaign.id, locale, email: `batch-${i}-${campaign.id}@example.org` })),
    )
    const batch = newSignatureEmailBatch()
    const emails = await Promise.all(signers.map((signer) => buildSignatureEmail('signature-confirmation', signer.id, 'a-token', batch)))
    expect([...batch.campaigns.keys()].sort()).toEqual([`${campaign.id}/en`, `${campaign.id}/ru`])
    expect(emails.map((email) => email?.to)).toEqual(signers.map((_, i) => `batch-${i}-${campaign.id}@example.org`))
    expect(emails.every((email) => email?.html.includes('Free them now'))).toBe(true)
    expect(emails.map((email) => email?.locale)).toEqual(['en', 'en', 'ru'])
    // One layout per language, filled in for each signer: their own name and link, nobody else's.
    expect([...batch.layouts.keys()].sort()).toEqual([`signature-confirmation/${campaign.id}/en`, `signature-confirmation/${campaign.id}/ru`])
    expect(emails.every((email) => email?.text.includes('/confirm/a-token?lang=') && !email.html.includes('chorusrecipient'))).toBe(true)
  })

  it("fills in each signer's own name, escaped, and renders in full a signer with no name", async () => {
    const campaign = await createCampaign(getDb())
    const named = await createSignature(getDb(), { campaign_id: campaign.id, full_name: 'Tom & <Jerry>' })
    const unnamed = await createSignature(getDb(), { campaign_id: campaign.id, full_name: ' ' })
    const batch = newSignatureEmailBatch()
    const [first, second] = [
      await buildSignatureEmail('signature-confirmation', named.id, 'token-one', batch),
      await buildSignatureEmail('signature-confirmation', unnamed.id, 'token-two', batch),
    ]
    expect(first?.html).toContain('Hello Tom &amp; &lt;Jerry&gt;,')
    expect(first?.text).toContain('Hello Tom & <Jerry>,')
    expect(first?.text).toContain('/confirm/token-one?lang=en')
    expect(second?.html).not.toContain('Tom')
    expect(second?.text).toContain('/confirm/token-two?lang=en')
    expect(second?.text).not.toContain('chorusrecipient')
  })
})
