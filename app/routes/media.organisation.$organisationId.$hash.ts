import type { LoaderFunctionArgs } from '@remix-run/node'
import { IMMUTABLE_CACHE } from '~/models/campaign-image.server'
import { getOrganisationLogoForServing } from '~/models/organisation.server'

/** Organisation logos, by organisation id and content hash: immutable like campaign images. */
export async function loader({ params }: LoaderFunctionArgs) {
  const image = await getOrganisationLogoForServing(params.organisationId ?? '', params.hash ?? '')
  if (!image) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' } })
  return new Response(new Uint8Array(image.bytes), {
    headers: {
      'Content-Type': image.content_type,
      'Content-Length': String(image.byte_size),
      'Cache-Control': IMMUTABLE_CACHE,
      ETag: `"${image.sha256}"`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    },
  })
}
