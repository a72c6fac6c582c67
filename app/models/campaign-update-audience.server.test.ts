import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createCampaign, createOrganisation, createSignature } from '../../tests/support/factories'
import { createCampaignUpdate, startUpdateSend } from './campaign-update.server'
import { countUpdateAudience, localeFor, recipientLocaleChoice } from './campaign-update-audience.server'
import { materialiseUpdateAudience } from './campaign-update-send.server'
import { removeSignature } from './supporter.server'
import { getDb } from '~/utils/db.server'

const db = () => getDb()

async function optedIn(campaignId: string, values: Record<string, unknown> = {}) {
  return await createSignature(db(), { campaign_id: campaignId, state: 'confirmed', consent_updates: true, ...values })
}

async function queuedRecipients(updateId: string) {
  return await db()
    .selectFrom('email_messages')
    .select(['signature_id', 'recipient', 'locale', 'batch_no', 'status', 'idempotency_key', 'template'])
    .where('update_id', '=', updateId)
    .orderBy('signature_id')
    .execute()
}

async function sendingUpdate(campaignId: string, content = [{ locale: 'en', subject: 'News', body: 'Hello' }]) {
  const { id } = await createCampaignUpdate(db(), { campaignId, kind: 'update', content, createdBy: null })
  await startUpdateSend(db(), id, null)
  return id
}

describe('the audience of an update', () => {
  it('is the confirmed signers who opted in, minus unsubscribed, suppressed and removed ones', async () => {
    const organisation = await createOrganisation(db())
    const other = await createOrganisation(db())
    const campaign = await createCampaign(db(), { organisation_id: organisation.id })
    const sister = await createCampaign(db(), { organisation_id: organisation.id })
    const outsider = await createCampaign(db(), { organisation_id: other.id })

    const wanted = await optedIn(campaign.id)
    const unsubscribedElsewhere = await optedIn(campaign.id)
    const unsubscribedInOtherOrg = await optedIn(campaign.id)
    const suppressedInOtherOrg = await optedIn(campaign.id)
    await optedIn(campaign.id, { consent_updates: false })
    await createSignature(db(), { campaign_id: campaign.id, consent_updates: true }) // pending
    await optedIn(campaign.id, { state: 'invalidated', invalidated_at: new Date(), invalidation_reason: 'fraud' })
    const unsubscribedHere = await optedIn(campaign.id)
    const unsubscribedEverywhere = await optedIn(campaign.id)
    const suppressed = await optedIn(campaign.id)
    const removed = await optedIn(campaign.id)
    await optedIn(campaign.id, { email: '', email_index: '' }) // blanked
    await optedIn(sister.id)
    await optedIn(outsider.id)

    await db()
      .insertInto('email_unsubscribes')
      .values([
        { organisation_id: organisation.id, email_index: unsubscribedHere.email_index, campaign_id: campaign.id, source: 'one-click' },
        { organisation_id: organisation.id, email_index: unsubscribedEverywhere.email_index, campaign_id: null, source: 'page' },
        { organisation_id: organisation.id, email_index: unsubscribedElsewhere.email_index, campaign_id: sister.id, source: 'page' },
        { organisation_id: other.id, email_index: unsubscribedInOtherOrg.email_index, campaign_id: null, source: 'page' },
      ])
      .execute()
    await db()
      .insertInto('email_suppressions')
      .values([
        { organisation_id: organisation.id, email_index: suppressed.email_index, reason: 'bounce' },
        { organisation_id: other.id, email_index: suppressedInOtherOrg.email_index, reason: 'complaint' },
      ])
      .execute()
    await removeSignature({ user: null, organisation: { id: organisation.id } }, campaign.id, removed.id)

    const expected = [wanted, unsubscribedElsewhere, unsubscribedInOtherOrg, suppressedInOtherOrg].map((s) => s.id).sort()
    expect(await countUpdateAudience(campaign.id)).toBe(expected.length)

    const updateId = await sendingUpdate(campaign.id)
    expect(await materialiseUpdateAudience(updateId)).toBe(expected.length)
    const rows = await queuedRecipients(updateId)
    expect(rows.map((r) => r.signature_id).sort()).toEqual(expected)
    for (const row of rows) {
      expect(row).toMatchObject({
        status: 'queued',
        template: 'campaign-update',
        batch_no: 0,
        idempotency_key: `campaign-update/${updateId}/${row.signature_id}`,
      })
    }
  })

  it('gives each recipient their own language, else the campaign’s, else one the update has', async () => {
    const campaign = await createCampaign(db(), { locale: 'ru' })
    const english = await optedIn(campaign.id, { locale: 'en' })
    const russian = await optedIn(campaign.id, { locale: 'ru' })
    const german = await optedIn(campaign.id, { locale: 'de' })

    const both = await sendingUpdate(campaign.id, [
      { locale: 'en', subject: 'News', body: 'Hello' },
      { locale: 'ru', subject: 'Новости', body: 'Привет' },
    ])
    await materialiseUpdateAudience(both)
    const byId = Object.fromEntries((await queuedRecipients(both)).map((r) => [r.signature_id, r.locale]))
    expect(byId).toEqual({ [english.id]: 'en', [russian.id]: 'ru', [german.id]: 'ru' })

    // Only English: everyone falls back to what there is, even though the campaign is Russian.
    const englishOnly = await sendingUpdate(campaign.id, [{ locale: 'en', subject: 'News', body: 'Hello' }])
    await materialiseUpdateAudience(englishOnly)
    expect(new Set((await queuedRecipients(englishOnly)).map((r) => r.locale))).toEqual(new Set(['en']))

    const choice = await recipientLocaleChoice(db(), both)
    expect(choice).toEqual({ available: ['en', 'ru'], fallback: 'ru' })
    expect(localeFor('de', choice!)).toBe('ru')
    expect(localeFor('en', choice!)).toBe('en')
  })

  it('is written once, in numbered batches of 100, and later signers do not join it', async () => {
    const campaign = await createCampaign(db())
    await sql`insert into signatures (campaign_id, full_name, email, email_index, country, consent_version, state, consent_updates, confirmed_at)
      select ${campaign.id}, 'Signer ' || n, 'many-' || n || '@example.org', 'many-' || n || '@example.org', 'GB', 'v1', 'confirmed', true, now()
      from generate_series(1, 250) n`.execute(db())
    const updateId = await sendingUpdate(campaign.id)
    expect(await materialiseUpdateAudience(updateId)).toBe(250)
    await optedIn(campaign.id)
    expect(await materialiseUpdateAudience(updateId)).toBe(250)
    const rows = await queuedRecipients(updateId)
    expect(rows).toHaveLength(250)
    const perBatch = rows.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.batch_no!]: (acc[r.batch_no!] ?? 0) + 1 }), {})
    expect(perBatch).toEqual({ 0: 100, 1: 100, 2: 50 })
    const update = await db().selectFrom('campaign_updates').select('audience_size').where('id', '=', updateId).executeTakeFirstOrThrow()
    expect(update.audience_size).toBe(250)
  })
})
