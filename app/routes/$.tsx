import type { LoaderFunctionArgs } from '@remix-run/node'

// Unknown paths get the translated 404 page from the root error boundary.
export async function loader(_args: LoaderFunctionArgs) {
  throw new Response('Not found', { status: 404 })
}

export default function NotFound() {
  return null
}
