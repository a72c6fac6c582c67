import type { LoaderFunctionArgs } from '@remix-run/node'
import { petitionResource } from '~/models/osdi.server'
import { getEnv } from '~/utils/env.server'
import { hal, methodNotAllowed, requireApiClient, requirePetition, withCuries } from '~/http/osdi-api.server'

/** One petition, with total_signatures and links to its signatures and the signature helper. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { client, locale } = await requireApiClient(request, 'read')
  const petition = await requirePetition(client, params.petitionId, locale)
  return hal(withCuries(petitionResource(getEnv().APP_URL, petition)))
}

export const action = methodNotAllowed('GET, HEAD')
