import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react'
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
  return (
    <div className="wrap narrow">
      <title>{`${title} · ${t('site.name')}`}</title>
      <h1>{title}</h1>
      <p>{body}</p>
      <p>
        <Link to="/admin">{t('admin.error.back')}</Link>
      </p>
    </div>
  )
}
