import { describe, expect, it } from 'vitest'
import { createCampaign, createSignature } from '../../tests/support/factories'
import { makeJobsDue, queuedJobs, runDueJobs } from '../../tests/support/jobs'
import { getDb } from '~/utils/db.server'
import { enqueueJob } from '~/jobs/enqueue.server'
import { UPDATE_COUNTS_JOB_KEY } from './update-counts.server'

describe('the update-counts job', () => {
  it('folds confirmations into the counts and keeps exactly one follow-up scheduled', async () => {
    const campaign = await createCampaign(getDb())
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', country: 'UA' })
    await enqueueJob(getDb(), 'update-counts', {}, { jobKey: UPDATE_COUNTS_JOB_KEY })
    await runDueJobs()
    const row = await getDb().selectFrom('campaigns').select('signature_count').where('id', '=', campaign.id).executeTakeFirstOrThrow()
    expect(row.signature_count).toBe(1)

    const next = await queuedJobs('update-counts')
    expect(next).toHaveLength(1)
    const delay = next[0]!.run_at.getTime() - Date.now()
    expect(delay).toBeGreaterThan(0)
    expect(delay).toBeLessThanOrEqual(2000)

    // The chain carries on: a later confirmation is folded by the next run.
    await createSignature(getDb(), { campaign_id: campaign.id, state: 'confirmed', country: 'UA' })
    await makeJobsDue('update-counts')
    await runDueJobs()
    const after = await getDb().selectFrom('campaigns').select('signature_count').where('id', '=', campaign.id).executeTakeFirstOrThrow()
    expect(after.signature_count).toBe(2)
    expect(await queuedJobs('update-counts')).toHaveLength(1)
  })
})
