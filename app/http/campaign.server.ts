import { findAdminCampaign, type EditableCampaign } from '~/models/editable-campaign.server'
import { findSlugRedirect, getPublicCampaign, type PublicCampaign } from '~/models/campaign.server'
import { findOrganisationCampaign, type OrganisationCampaign } from '~/models/campaign-stats.server'
import { findCampaignUpdate, type EditableUpdate } from '~/models/campaign-update-workspace.server'
import { adminError } from '~/http/auth.server'
import type { AdminContext } from '~/utils/permissions'
import type { Locale } from '~/utils/i18n'

// The `require*` guards of campaign routes: each turns a model's "not found" into the answer a
// route gives (a 404 to the error boundary, or a redirect from an old slug).

/**
 * The campaign behind an admin URL, within the person's organisation, or a 404 (the same whether
 * it does not exist or belongs to someone else: decision 0006). Dashboards and lists read this.
 */
export async function requireOrganisationCampaign(admin: Pick<AdminContext, 'organisation'>, campaignId: string | undefined): Promise<OrganisationCampaign> {
  const campaign = await findOrganisationCampaign(admin.organisation.id, campaignId)
  if (!campaign) throw adminError(404, 'admin.error.notFound')
  return campaign
}

/** The campaign with everything the editor needs, within the person's organisation, or a 404. */
export async function requireAdminCampaign(admin: Pick<AdminContext, 'organisation'>, campaignId: string | undefined): Promise<EditableCampaign> {
  const campaign = await findAdminCampaign(admin, campaignId)
  if (!campaign) throw notFound()
  return campaign
}

/** An update of this campaign (the campaign already checked against the admin's organisation), or a 404. */
export async function requireCampaignUpdate(campaignId: string, updateId: string | undefined): Promise<EditableUpdate> {
  const update = await findCampaignUpdate(campaignId, updateId)
  if (!update) throw notFound()
  return update
}

/** The 404 of an admin outcome that found nothing (for actions whose model answered `not-found`). */
export function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { 'Cache-Control': 'no-store' } })
}

/**
 * The public campaign for a route, or a 404 response thrown to the error boundary. Given the
 * request, an old slug answers with a permanent redirect to the same page under the current one.
 */
export async function requirePublicCampaign(slug: string | undefined, locale: Locale, request?: Request): Promise<PublicCampaign> {
  const campaign = await getPublicCampaign(slug ?? '', locale)
  if (!campaign) {
    if (request && slug) await redirectFromOldSlug(request, slug)
    throw new Response('Not found', { status: 404 })
  }
  return campaign
}

/**
 * Throws a redirect when `slug` is a public campaign's old slug: 301 for reads, 308 for posts
 * (so a form sent to the old address is sent again, not turned into a GET).
 */
export async function redirectFromOldSlug(request: Request, slug: string): Promise<void> {
  const current = await findSlugRedirect(slug)
  if (!current) return
  const url = new URL(request.url)
  const encoded = encodeURIComponent(slug)
  const prefix = url.pathname.match(/^\/(?:api\/)?campaigns\//)?.[0]
  if (!prefix || !url.pathname.startsWith(`${prefix}${encoded}`)) return
  const rest = url.pathname.slice(prefix.length + encoded.length)
  if (rest && !rest.startsWith('/')) return
  url.searchParams.delete('_data')
  const search = url.searchParams.toString()
  const method = request.method.toUpperCase()
  throw new Response(null, {
    status: method === 'GET' || method === 'HEAD' ? 301 : 308,
    headers: { Location: `${prefix}${current}${rest}${search ? `?${search}` : ''}`, 'Cache-Control': 'public, max-age=300' },
  })
}
