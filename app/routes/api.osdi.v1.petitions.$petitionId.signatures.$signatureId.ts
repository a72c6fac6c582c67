import type { LoaderFunctionArgs } from '@remix-run/node'
import { getSignature, signatureResource } from '~/models/osdi.server'
import { getEnv } from '~/utils/env.server'
import { apiError, hal, methodNotAllowed, requireApiClient, requirePetition, withCuries } from '~/http/osdi-api.server'

/** One signature (the `self` of each listed or recorded one); pending ones carry no person data. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { client, locale } = await requireApiClient(request, 'read')
  const petition = await requirePetition(client, params.petitionId, locale)
  const id = /^[1-9]\d{0,17}$/.test(params.signatureId ?? '') ? params.signatureId! : null
  const signature = id ? await getSignature(client.organisation.id, petition.id, id, { emails: client.crmSync }) : null
  if (!signature) return apiError(404, 'not_found', 'osdi.error.notFound', locale)
  return hal(withCuries(signatureResource(getEnv().APP_URL, signature)))
}

export const action = methodNotAllowed('GET, HEAD')
