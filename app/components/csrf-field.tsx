import { useRouteLoaderData } from '@remix-run/react'

/** The session's CSRF token as a hidden `csrf` field; every admin form renders one (decision 0006). */
export function CsrfField() {
  const data = useRouteLoaderData<{ admin: { csrfToken: string } | null }>('routes/admin')
  return <input type="hidden" name="csrf" value={data?.admin?.csrfToken ?? ''} />
}
