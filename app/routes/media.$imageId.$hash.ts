import type { LoaderFunctionArgs } from '@remix-run/node'
import { imageResponse, notFoundResponse } from '~/http/responses.server'
import { getImageForServing, IMMUTABLE_CACHE } from '~/models/campaign-image.server'

/**
 * Campaign images, by id and content hash. The hash makes each URL immutable (a new image is a
 * new URL), so browsers and CDNs keep them for a year without asking again.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const image = await getImageForServing(params.imageId ?? '', params.hash ?? '')
  if (!image) return notFoundResponse()
  return imageResponse(request, { bytes: image.bytes, contentType: image.content_type, sha256: image.sha256, cacheControl: IMMUTABLE_CACHE })
}
