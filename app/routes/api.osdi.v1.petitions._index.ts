import type { LoaderFunctionArgs } from '@remix-run/node'
import { collectionResource, listPetitions, petitionResource } from '~/models/osdi.server'
import { getEnv } from '~/utils/env.server'
import { canonicalUrl, hal, methodNotAllowed, readPaging, requireApiClient, withCuries } from '~/http/osdi-api.server'

/** The organisation's petitions (live and closed campaigns), paged, newest first. */
export async function loader({ request }: LoaderFunctionArgs) {
  const { client, locale } = await requireApiClient(request, 'read')
  const paging = readPaging(request, locale)
  const appUrl = getEnv().APP_URL
  const page = await listPetitions(client.organisation.id, paging)
  const petitions = page.items.map((row) => petitionResource(appUrl, row))
  return hal(withCuries(collectionResource(canonicalUrl(request), page, 'petitions', petitions)))
}

export const action = methodNotAllowed('GET, HEAD')
