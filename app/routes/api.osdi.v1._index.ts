import type { LoaderFunctionArgs } from '@remix-run/node'
import { MAX_PAGE_SIZE, osdiUrl } from '~/models/osdi.server'
import { getEnv } from '~/utils/env.server'
import { translate } from '~/utils/i18n.server'
import { hal, methodNotAllowed, requireApiClient, withCuries } from '~/http/osdi-api.server'

/** The API entry point (OSDI's AEP): who is asking, and links to everything else. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { client, locale } = await requireApiClient(request, 'read')
  const appUrl = getEnv().APP_URL
  return hal(
    withCuries({
      motd: translate(locale, 'osdi.motd', { organisation: client.organisation.name }),
      vendor_name: 'Chorus',
      product_name: 'Chorus',
      osdi_version: '1.1',
      namespace: 'chorus',
      max_pagesize: MAX_PAGE_SIZE,
      'chorus:organisation': { name: client.organisation.name },
      'chorus:api_key': { prefix: client.prefix, scope: client.scope, crm_sync: client.crmSync },
      _links: {
        self: { href: osdiUrl(appUrl), title: translate(locale, 'osdi.link.self') },
        'osdi:petitions': { href: osdiUrl(appUrl, '/petitions'), title: translate(locale, 'osdi.link.petitions') },
      },
    }),
  )
}

export const action = methodNotAllowed('GET, HEAD')
