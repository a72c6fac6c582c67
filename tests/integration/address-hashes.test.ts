import crypto from 'node:crypto'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature, uniqueEmail } from '../support/factories'
import { queuedJobs, runJobsOf } from '../support/jobs'
import { callRoute, form } from '../support/routes'
import { cronItems } from '~/jobs/index.server'
import { ADDRESS_HASH_DAYS } from '~/models/signature.server'
import { action as signAction } from '~/routes/campaigns.$slug'
import { getDb } from '~/utils/db.server'
import { enqueueJob } from '~/jobs/enqueue.server'
import { hashIp, hashStoredAddress, recentStoredAddressHashes } from '~/utils/security.server'

// The client-address hash kept on each signature was one HMAC under one fixed key:
// anyone with the key could reverse every hash ever stored by trying the 2^32 IPv4 addresses.
// Now each UTC day has its own key, and the hashes are erased after 30 days.

const DAY = 24 * 3600 * 1000

describe('the stored client-address hash', () => {
  it('is keyed per UTC day: the same within a day, different the next, and unlike the rate-limit hash', () => {
    const morning = new Date('2026-12-01T00:05:00Z')
    const evening = new Date('2026-12-01T23:55:00Z')
    const nextDay = new Date('2026-12-02T00:05:00Z')
    expect(hashStoredAddress('203.0.113.9', morning).equals(hashStoredAddress('203.0.113.9', evening))).toBe(true)
    expect(hashStoredAddress('203.0.113.9', morning).equals(hashStoredAddress('203.0.113.9', nextDay))).toBe(false)
    expect(hashStoredAddress('203.0.113.9', morning).equals(hashStoredAddress('203.0.113.10', morning))).toBe(false)
    expect(hashStoredAddress('203.0.113.9', morning).equals(hashIp('203.0.113.9'))).toBe(false)
    // Not the bare SHA-256 of the address, nor an HMAC under the session secret itself.
    expect(hashStoredAddress('203.0.113.9', morning).equals(crypto.createHash('sha256').update('203.0.113.9').digest())).toBe(false)
    expect(hashStoredAddress('203.0.113.9', morning).equals(crypto.createHmac('sha256', process.env.SESSION_SECRET!).update('203.0.113.9').digest())).toBe(
      false,
    )
    const [today, yesterday] = recentStoredAddressHashes('203.0.113.9', nextDay)
    expect(today.equals(hashStoredAddress('203.0.113.9', nextDay))).toBe(true)
    expect(yesterday.equals(hashStoredAddress('203.0.113.9', evening))).toBe(true)
  })

  it("is what a new signature keeps: today's key", async () => {
    const campaign = await createCampaign(getDb())
    const response = await callRoute(signAction, {
      url: `/campaigns/${campaign.slug}`,
      method: 'POST',
      params: { slug: campaign.slug },
      body: form({ fullName: 'Grace Hopper', email: uniqueEmail(), country: 'US' }),
      ip: '198.51.100.7',
    })
    expect(response.status).toBe(302)
    const row = await getDb().selectFrom('signatures').select(['ip_hash', 'created_at']).where('campaign_id', '=', campaign.id).executeTakeFirstOrThrow()
    expect(row.ip_hash!.equals(hashStoredAddress('198.51.100.7', row.created_at))).toBe(true)
    expect(row.ip_hash!.equals(hashIp('198.51.100.7'))).toBe(false)
  })

  it('is erased after 30 days by the nightly job, in batches, leaving newer ones', async () => {
    expect(ADDRESS_HASH_DAYS).toBe(30)
    expect(cronItems.map((item) => item.task)).toContain('erase-address-hashes')
    const campaign = await createCampaign(getDb())
    const ipHash = hashStoredAddress('203.0.113.9')
    const old = []
    for (let i = 0; i < 3; i++)
      old.push(await createSignature(getDb(), { campaign_id: campaign.id, ip_hash: ipHash, created_at: new Date(Date.now() - (31 + i) * DAY) }))
    const recent = await createSignature(getDb(), { campaign_id: campaign.id, ip_hash: ipHash, created_at: new Date(Date.now() - 29 * DAY) })
    await enqueueJob(getDb(), 'erase-address-hashes', {})
    await runJobsOf('erase-address-hashes')
    expect(await queuedJobs('erase-address-hashes')).toEqual([])
    const rows = await getDb().selectFrom('signatures').select(['id', 'ip_hash']).where('campaign_id', '=', campaign.id).orderBy('id').execute()
    expect(
      rows
        .filter((row) => row.ip_hash === null)
        .map((row) => row.id)
        .sort(),
    ).toEqual(old.map((row) => row.id).sort())
    expect(rows.find((row) => row.id === recent.id)!.ip_hash).not.toBeNull()
    // Everything else about the old signatures stays.
    const { rows: counts } = await sql<{ n: number }>`select count(*)::int as n from signatures where campaign_id = ${campaign.id}`.execute(getDb())
    expect(counts[0]!.n).toBe(4)
  })

  it('erases in batches until none is left', async () => {
    const { eraseOldAddressHashes } = await import('~/models/signature.server')
    const campaign = await createCampaign(getDb())
    for (let i = 0; i < 7; i++)
      await createSignature(getDb(), { campaign_id: campaign.id, ip_hash: hashStoredAddress(`203.0.113.${i}`), created_at: new Date(Date.now() - 40 * DAY) })
    expect(await eraseOldAddressHashes(30, 3)).toBe(7)
    expect(await eraseOldAddressHashes(30, 3)).toBe(0)
  })
})
