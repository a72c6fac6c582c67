import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { jsonDownloadResponse } from '~/http/responses.server'
import { getMyData } from '~/models/my-data.server'
import { NO_STORE } from '~/utils/http.server'
import { getLocale } from '~/utils/locale.server'

// "Download my data": a resource route, so the browser receives the file itself (a page route's
// action would have its response turned into page data).

export async function action({ request, params }: ActionFunctionArgs) {
  const mine = await getMyData(params.token)
  if (!mine) return redirect(`/my-data?expired=1&lang=${await getLocale(request)}`, { headers: { 'Cache-Control': NO_STORE } })
  return jsonDownloadResponse({ email: mine.email, ...mine.data }, 'my-data.json')
}

export async function loader({ params }: LoaderFunctionArgs) {
  return redirect(`/my-data/${params.token}`, { headers: { 'Cache-Control': NO_STORE } })
}
