import type { LoaderFunctionArgs } from '@remix-run/node'
import { imageResponse, notFoundResponse } from '~/http/responses.server'
import { IMMUTABLE_CACHE } from '~/models/campaign-image.server'
import { getOrganisationLogoForServing } from '~/models/organisation.server'

/** Organisation logos, by organisation id and content hash: immutable like campaign images. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const image = await getOrganisationLogoForServing(params.organisationId ?? '', params.hash ?? '')
  if (!image) return notFoundResponse()
  return imageResponse(request, { bytes: image.bytes, contentType: image.content_type, sha256: image.sha256, cacheControl: IMMUTABLE_CACHE })
}
