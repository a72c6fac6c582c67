import type { LoaderFunctionArgs } from '@remix-run/node'
import { getImageForServing, IMMUTABLE_CACHE } from '~/models/campaign-image.server'

/**
 * Campaign images, by id and content hash. The hash makes each URL immutable (a new image is a
 * new URL), so browsers and CDNs keep them for a year without asking again.
 */
export async function loader({ params }: LoaderFunctionArgs) {
  const image = await getImageForServing(params.imageId ?? '', params.hash ?? '')
  if (!image) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' } })
  return new Response(new Uint8Array(image.bytes), {
    headers: {
      'Content-Type': image.content_type,
      'Content-Length': String(image.byte_size),
      'Cache-Control': IMMUTABLE_CACHE,
      ETag: `"${image.sha256}"`,
      // The bytes were checked to be an image; never let a browser guess otherwise.
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    },
  })
}
