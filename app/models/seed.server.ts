import { sql } from 'kysely'
import { demoCampaigns, demoOrganisation, demoSignerCountries, demoSignerFirstNames, type DemoCampaign } from '#db/seed/demo-content'
import { emailIndex, organisationOfCampaign, sealerFor } from '~/models/data-key.server'
import { refreshCampaignTotals } from '~/models/donation-status.server'
import { reconcileSignatureCounts } from '~/models/signature-count.server'
import { addMembership } from '~/models/membership.server'
import { findOrCreateUser } from '~/models/user.server'
import { getDb, type Tx } from '~/utils/db.server'

export const DEMO_ORGANISER_EMAIL = 'organiser@chorus.localhost'

/** Seeds the demo organisation and campaigns, but only into a database that holds no campaign. */
export async function seedDemoContentIfEmpty(): Promise<boolean> {
  const db = getDb()
  const any = await db.selectFrom('campaigns').select('id').limit(1).executeTakeFirst()
  if (any) return false
  await db.transaction().execute(async (tx) => {
    const organisation = await tx
      .insertInto('organisations')
      .values({
        slug: demoOrganisation.slug,
        name: demoOrganisation.name,
        privacy_url: demoOrganisation.privacyUrl,
        donation_currency: demoOrganisation.donationCurrency,
        donation_presets: demoOrganisation.donationPresets,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    // The demo organiser: sign in at /admin/sign-in with this address; the link arrives in /dev/mailbox.
    const organiser = await findOrCreateUser(tx, { email: DEMO_ORGANISER_EMAIL, name: 'Demo Organiser' })
    await addMembership(tx, { organisationId: organisation.id, userId: organiser.id, role: 'owner' })
    for (const [index, demo] of demoCampaigns.entries()) {
      const campaign = await tx
        .insertInto('campaigns')
        .values({
          organisation_id: organisation.id,
          slug: demo.slug,
          locale: 'en',
          ...demo.content.en,
          signature_goal: demo.signatureGoal,
          status: demo.status,
          closes_at: demo.closesAt,
          opens_at: sql`now() - interval '30 days'`,
          donation_currency: demo.donations?.currency ?? null,
          donation_presets: demo.donations?.presets ?? null,
          show_donation_totals: demo.donations?.showTotals ?? false,
          // The home page lists newest first: the flagship (first) campaign is the newest.
          created_at: sql`now() - make_interval(days => ${index + 1})`,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await tx
        .insertInto('campaign_translations')
        .values({ campaign_id: campaign.id, locale: 'ru', ...demo.content.ru })
        .execute()
      // Synthetic confirmed signers at example.org (a domain that never receives mail), sealed like real ones.
      const sealValue = await sealerFor(organisation.id)
      const numbers = Array.from({ length: demo.confirmedSignatures }, (_, i) => i + 1)
      const addresses = numbers.map((n) => `demo-${demo.slug}-${n}@example.org`)
      const names = numbers.map((n) => sealValue(`${demoSignerFirstNames[n % demoSignerFirstNames.length]} Demo`))
      const indexes = await Promise.all(addresses.map((address) => emailIndex(address)))
      await sql`
        insert into signatures (campaign_id, full_name, email, email_index, country, locale, consent_updates,
          consent_show_name, consent_version, state, created_at, confirmed_at, counted_at)
        select ${campaign.id}, v.full_name, v.email, v.email_index,
          (${demoSignerCountries}::text[])[1 + ((n * 7) % ${demoSignerCountries.length})],
          case when n % 5 = 0 then 'ru' else 'en' end, n % 3 = 0, n % 4 <> 0, '2026-11-v1', 'confirmed',
          now() - make_interval(mins => n * 13), now() - make_interval(mins => n * 13), now()
        from (select u.*, u.ord::int as n from unnest(${names}::text[], ${addresses.map(sealValue)}::text[], ${indexes}::text[])
          with ordinality as u(full_name, email, email_index, ord)) v`.execute(tx)
      await seedFollowUps(tx, campaign.id, demo, organiser.id)
      await seedGifts(tx, campaign.id, demo, demoOrganisation.donationCurrency)
    }
  })
  // The cached counts are filled in by the same code that repairs them nightly.
  await reconcileSignatureCounts()
  return true
}

const daysAgo = (days: number) => sql<Date>`now() - make_interval(days => ${days})`
const dayOf = (days: number) => sql<string>`(now() - make_interval(days => ${days}))::date`

/** The demo timeline: milestones crossed, updates already sent, deliveries and responses. */
async function seedFollowUps(tx: Tx, campaignId: string, demo: DemoCampaign, organiserId: string) {
  const followUps = demo.followUps
  if (!followUps) return
  for (const milestone of followUps.milestones) {
    const { id } = await tx
      .insertInto('campaign_milestones')
      .values({ campaign_id: campaignId, threshold: milestone.threshold })
      .returning('id')
      .executeTakeFirstOrThrow()
    await tx
      .insertInto('campaign_milestone_translations')
      .values([
        { milestone_id: id, locale: 'en', description: milestone.description.en },
        { milestone_id: id, locale: 'ru', description: milestone.description.ru },
      ])
      .execute()
    if (milestone.threshold <= demo.confirmedSignatures) {
      await tx
        .insertInto('campaign_milestone_crossings')
        .values({
          milestone_id: id,
          campaign_id: campaignId,
          threshold: milestone.threshold,
          signature_count: milestone.threshold,
          crossed_at: daysAgo(milestone.daysAgo),
        })
        .execute()
    }
  }
  for (const update of followUps.updates) {
    // Sent before the demo began: no email records, only what the timeline shows.
    const { id } = await tx
      .insertInto('campaign_updates')
      .values({
        campaign_id: campaignId,
        kind: 'update',
        status: 'sent',
        audience_size: 0,
        created_by: organiserId,
        sent_by: organiserId,
        created_at: daysAgo(update.daysAgo),
        updated_at: daysAgo(update.daysAgo),
        send_started_at: daysAgo(update.daysAgo),
        sent_at: daysAgo(update.daysAgo),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await tx
      .insertInto('campaign_update_translations')
      .values([
        { update_id: id, locale: 'en', ...update.content.en },
        { update_id: id, locale: 'ru', ...update.content.ru },
      ])
      .execute()
  }
  for (const delivery of followUps.deliveries) {
    await tx
      .insertInto('campaign_deliveries')
      .values({
        campaign_id: campaignId,
        delivered_on: dayOf(delivery.daysAgo),
        recipient: delivery.recipient,
        method: delivery.method,
        signature_count: demo.confirmedSignatures,
        created_by: organiserId,
        created_at: daysAgo(delivery.daysAgo),
      })
      .execute()
  }
  for (const response of followUps.responses) {
    await tx
      .insertInto('campaign_responses')
      .values({
        campaign_id: campaignId,
        responded_on: dayOf(response.daysAgo),
        body: response.body,
        source_url: response.sourceUrl,
        created_by: organiserId,
        created_at: daysAgo(response.daysAgo),
        updated_at: daysAgo(response.daysAgo),
      })
      .execute()
  }
}

/** Demo gifts already paid, and the cached totals. Their session ids (`cs_demo_...`) are not Stripe's. */
async function seedGifts(tx: Tx, campaignId: string, demo: DemoCampaign, organisationCurrency: string) {
  const gifts = demo.donations?.demoGifts ?? []
  if (gifts.length === 0) return
  const currency = demo.donations?.currency ?? organisationCurrency
  const sealValue = await sealerFor(await organisationOfCampaign(tx, campaignId))
  for (const [index, amount] of gifts.entries()) {
    const paidAt = daysAgo(index + 1)
    const session = `cs_demo_${demo.slug}_${index + 1}`
    const donation = await tx
      .insertInto('donations')
      .values({
        campaign_id: campaignId,
        frequency: 'one_off',
        amount_minor: amount,
        currency,
        status: 'paid',
        donor_name: sealValue(`${demoSignerFirstNames[index % demoSignerFirstNames.length]} Demo`),
        donor_email: sealValue(`demo-donor-${demo.slug}-${index + 1}@example.org`),
        donor_email_index: await emailIndex(`demo-donor-${demo.slug}-${index + 1}@example.org`),
        stripe_checkout_session_id: session,
        checkout_completed_at: paidAt,
        created_at: paidAt,
        updated_at: paidAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await tx
      .insertInto('donation_payments')
      .values({
        donation_id: donation.id,
        campaign_id: campaignId,
        amount_minor: amount,
        currency,
        stripe_checkout_session_id: session,
        paid_at: paidAt,
        created_at: paidAt,
        updated_at: paidAt,
      })
      .execute()
  }
  await refreshCampaignTotals(tx, campaignId)
}
