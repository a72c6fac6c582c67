import type { LoaderFunctionArgs } from '@remix-run/node'
import { json } from '@remix-run/node'
import { requirePublicCampaign } from '~/http/campaign.server'
import { createSignChallenge } from '~/models/integrity.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { getEnv } from '~/utils/env.server'
import { getLocale } from '~/utils/locale.server'
import { requestContext } from '~/utils/request.server'
import { rateLimitKey } from '~/utils/security.server'

// A fresh proof-of-work challenge for the sign form in attack mode (decision 0030). Fetched by
// the widget, never baked into a page, so a cached campaign page still gets a new one each time.
// Limited per client like signing, with room for reloads and retries: a client may ask for this
// many challenges for each signature it may make.
const CHALLENGES_PER_SIGNATURE = 5

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const env = getEnv()
  const limit = await hitRateLimit(`challenge:${rateLimitKey(requestContext(request, context).ip)}`, {
    limit: env.SIGN_RATE_LIMIT * CHALLENGES_PER_SIGNATURE,
    windowSeconds: env.SIGN_RATE_WINDOW_SECONDS,
  })
  if (!limit.allowed) {
    return json({ error: 'rate-limited' }, { status: 429, headers: { 'Cache-Control': 'no-store', 'Retry-After': String(limit.retryAfterSeconds) } })
  }
  const campaign = await requirePublicCampaign(params.slug, await getLocale(request), request)
  return json(await createSignChallenge(campaign.id), { headers: { 'Cache-Control': 'no-store' } })
}
