import { isRouteErrorResponse, useRouteError } from '@remix-run/react'
import { ErrorPage } from '~/components/error-page'
import { useT } from '~/utils/use-t'

/**
 * The workspace's error page: admin errors carry a translation key (`adminError` in
 * auth.server.ts); others fall back to a generic message. The admin layout renders it for every
 * page below /admin, so a route needs no ErrorBoundary of its own (decision 0048).
 */
export function AdminErrorBoundary() {
  const error = useRouteError()
  const t = useT()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const key = isRouteErrorResponse(error) ? (error.data as { error?: unknown } | null)?.error : undefined
  const title = status === 404 ? t('admin.error.notFoundTitle') : status === 403 ? t('admin.error.forbiddenTitle') : t('admin.error.genericTitle')
  const body =
    typeof key === 'string' && (key.startsWith('admin.') || key.startsWith('error.'))
      ? t.message(key)
      : status === 404
        ? t('admin.error.notFound')
        : t('error.generic.body')
  return <ErrorPage title={title} body={body} siteName={t('site.name')} back={{ to: '/admin', label: t('admin.error.back') }} />
}
