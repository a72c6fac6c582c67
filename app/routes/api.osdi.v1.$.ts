import { apiError, apiLocale } from '~/http/osdi-api.server'

/** Anything else under the API is a JSON 404, not the site's HTML page. */
const notFound = async ({ request }: { request: Request }) => apiError(404, 'not_found', 'osdi.error.notFound', apiLocale(request))

export const loader = notFound
export const action = notFound
