import { sql } from 'kysely'
import { demoCampaigns, demoOrganisation, demoSignerCountries, demoSignerFirstNames } from '#db/seed/demo-content'
import { reconcileSignatureCounts } from '~/models/signature-count.server'
import { addMembership } from '~/models/membership.server'
import { findOrCreateUser } from '~/models/user.server'
import { getDb } from '~/utils/db.server'

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
      // Synthetic confirmed signers at example.org (a domain that never receives mail).
      await sql`
        insert into signatures (campaign_id, full_name, email, canonical_email, country, locale, consent_updates,
          consent_show_name, consent_version, state, created_at, confirmed_at, counted_at)
        select ${campaign.id}, (${demoSignerFirstNames}::text[])[1 + (n % ${demoSignerFirstNames.length})] || ' Demo',
          'demo-' || ${demo.slug} || '-' || n || '@example.org', 'demo-' || ${demo.slug} || '-' || n || '@example.org',
          (${demoSignerCountries}::text[])[1 + ((n * 7) % ${demoSignerCountries.length})],
          case when n % 5 = 0 then 'ru' else 'en' end, n % 3 = 0, n % 4 <> 0, '2026-11-v1', 'confirmed',
          now() - make_interval(mins => n * 13), now() - make_interval(mins => n * 13), now()
        from generate_series(1, ${demo.confirmedSignatures}) as n`.execute(tx)
    }
  })
  // The cached counts are filled in by the same code that repairs them nightly.
  await reconcileSignatureCounts()
  return true
}
