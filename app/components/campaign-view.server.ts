import { campaignPhase, getCountryCounts, getPublicMilestones, getRecentPublicSigners, isSignable, type PublicCampaign } from '~/models/campaign.server'
import { shareImageUrl } from '~/models/share-card.server'
import { getDonationSummary } from '~/models/donation.server'
import { getCampaignTimeline, latestResponseOf } from '~/models/timeline.server'
import { countryName, countryOptions } from '~/utils/countries.server'
import { getEnv } from '~/utils/env.server'
import type { Locale } from '~/utils/i18n'
import { renderMarkdown } from '~/utils/markdown.server'

/**
 * Everything the public campaign page shows, for the public route and the workspace's preview
 * alike, so the preview is the page itself.
 */
export async function campaignViewData(campaign: PublicCampaign, locale: Locale, url: URL) {
  const [byCountry, recent, milestones, donationSummary, timeline] = await Promise.all([
    getCountryCounts(campaign.id),
    campaign.showRecentSigners ? getRecentPublicSigners(campaign.id) : Promise.resolve([]),
    getPublicMilestones(campaign),
    getDonationSummary(campaign.id),
    getCampaignTimeline(campaign.id, locale),
  ])
  const { APP_URL } = getEnv()
  return {
    campaign: {
      slug: campaign.slug,
      status: campaign.status,
      signable: isSignable(campaign),
      phase: campaignPhase(campaign),
      opensAt: campaign.opensAt?.toISOString() ?? null,
      contentLocale: campaign.contentLocale,
      storyLocale: campaign.storyLocale,
      title: campaign.content.title,
      summary: campaign.content.summary,
      storyHtml: renderMarkdown(campaign.content.story),
      targetName: campaign.content.target_name,
      targetRole: campaign.content.target_role,
      demand: campaign.content.demand,
      signatureCount: campaign.signatureCount,
      signatureGoal: campaign.signatureGoal,
      closesAt: campaign.closesAt?.toISOString() ?? null,
      attackMode: campaign.attackMode,
      organisationName: campaign.organisation.name,
      organisation: {
        name: campaign.organisation.name,
        logo: campaign.organisation.logoUrl
          ? { url: campaign.organisation.logoUrl, width: campaign.organisation.logo?.width ?? null, height: campaign.organisation.logo?.height ?? null }
          : null,
        websiteUrl: campaign.organisation.website_url,
      },
      startsAt: campaign.startsAt.toISOString(),
      heroImage: campaign.heroImage,
      consentText: campaign.consentText,
    },
    milestones,
    topCountries: Object.entries(byCountry)
      .slice(0, 5)
      .map(([code, count]) => ({ code, name: countryName(code, locale), count })),
    recentSigners: recent.map((s) => ({ firstName: s.firstName, country: countryName(s.country, locale), confirmedAt: s.confirmedAt.toISOString() })),
    /** The next milestone not yet reached (or the goal): "137 signatures of 200, help us reach 200". */
    nextTarget: nextTarget(
      campaign.signatureCount,
      milestones.map((m) => m.threshold),
      campaign.signatureGoal,
    ),
    /** When the page was made, for "3 minutes ago" (the same on the server and in the browser). */
    now: new Date().toISOString(),
    countries: countryOptions(locale),
    canonicalUrl: `${APP_URL}/campaigns/${campaign.slug}`,
    // The same for every visitor in this language (the page is cached, decision 0021).
    shareImage: campaign.heroImage
      ? { url: shareImageUrl(APP_URL, campaign, locale), width: campaign.heroImage.width, height: campaign.heroImage.height, alt: campaign.heroImage.alt }
      : { url: shareImageUrl(APP_URL, campaign, locale), width: 1200, height: 630, alt: campaign.content.title },
    // Donation figures and the button only where donations are configured.
    donationSummary: donationSummary.enabled ? donationSummary : { enabled: false, totals: null },
    timeline,
    latestResponse: latestResponseOf(timeline),
    tracking: {
      source: url.searchParams.get('ref') ?? url.searchParams.get('source') ?? '',
      utmSource: url.searchParams.get('utm_source') ?? '',
      utmMedium: url.searchParams.get('utm_medium') ?? '',
      utmCampaign: url.searchParams.get('utm_campaign') ?? '',
    },
  }
}

/** The smallest milestone above the count, else the goal (or the count once past the goal). */
export function nextTarget(count: number, milestones: number[], goal: number): number {
  const next = [...milestones, goal].filter((threshold) => threshold > count).sort((a, b) => a - b)[0]
  return next ?? goal
}

export type CampaignViewData = Awaited<ReturnType<typeof campaignViewData>>
