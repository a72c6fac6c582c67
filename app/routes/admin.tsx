import type { LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, NavLink, Outlet, useLoaderData } from '@remix-run/react'
import { AdminErrorBoundary } from '~/components/admin-error-boundary'
import { CsrfField } from '~/components/csrf-field'
import { getAdminSession } from '~/http/auth.server'
import { can } from '~/utils/permissions'
import { workspaceMessages } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

// The layout answers signed-out visitors too (the sign-in pages nest under it). It guards
// nothing: every admin loader and action calls requireAdmin itself (decision 0006).
export const handle = { adminPublic: true }

export async function loader({ request }: LoaderFunctionArgs) {
  const state = await getAdminSession(request)
  const admin = state?.admin
  return data({
    // The workspace's messages join the public ones here, never on public pages (decision 0037).
    messages: workspaceMessages(await getLocale(request)),
    admin: admin
      ? {
          user: admin.user,
          organisation: admin.organisation,
          role: admin.role,
          csrfToken: admin.csrfToken,
          canManageMembers: can(admin.role, 'members.manage'),
          canViewAudit: can(admin.role, 'audit.view'),
          canSeeSuppressions: can(admin.role, 'supporters.view'),
          canManageApiKeys: can(admin.role, 'api_keys.manage'),
          canManageOrganisation: can(admin.role, 'organisation.manage'),
          memberships: (state?.memberships ?? []).map((m) => ({ organisationId: m.organisation.id, name: m.organisation.name, role: m.role })),
        }
      : null,
  })
}

export default function AdminLayout() {
  const { admin } = useLoaderData<typeof loader>()
  const t = useT()
  if (!admin) return <Outlet />
  return (
    <>
      <div className="admin-bar">
        <div className="wrap admin-bar-row">
          <nav aria-label={t('admin.nav.label')} className="admin-nav">
            <ul>
              <li>
                <NavLink to="/admin" end>
                  {t('admin.nav.campaigns')}
                </NavLink>
              </li>
              {admin.canManageOrganisation ? (
                <li>
                  <NavLink to="/admin/organisation">{t('admin.nav.organisation')}</NavLink>
                </li>
              ) : null}
              {admin.canManageMembers ? (
                <li>
                  <NavLink to="/admin/members">{t('admin.nav.members')}</NavLink>
                </li>
              ) : null}
              {admin.canViewAudit ? (
                <li>
                  <NavLink to="/admin/audit">{t('admin.nav.audit')}</NavLink>
                </li>
              ) : null}
              {admin.canSeeSuppressions ? (
                <li>
                  <NavLink to="/admin/suppressions">{t('admin.nav.suppressions')}</NavLink>
                </li>
              ) : null}
              {admin.canManageApiKeys ? (
                <li>
                  <NavLink to="/admin/api-keys">{t('admin.nav.apiKeys')}</NavLink>
                </li>
              ) : null}
              <li>
                <NavLink to="/admin/account">{t('admin.nav.account')}</NavLink>
              </li>
            </ul>
          </nav>
          <p className="admin-who">
            {t('admin.nav.signedInAs', {
              email: admin.user.email,
              organisation: admin.organisation.name,
              role: t(`admin.role.${admin.role}`),
            })}
          </p>
          {admin.memberships.length > 1 ? (
            <Form method="post" action="/admin/account" className="inline-form">
              <CsrfField />
              <input type="hidden" name="intent" value="switch-organisation" />
              <label htmlFor="admin-organisation">{t('admin.nav.switchLabel')}</label>
              <select id="admin-organisation" name="organisationId" defaultValue={admin.organisation.id}>
                {admin.memberships.map((m) => (
                  <option key={m.organisationId} value={m.organisationId}>
                    {m.name}
                  </option>
                ))}
              </select>
              <button type="submit" className="button small secondary">
                {t('admin.nav.switch')}
              </button>
            </Form>
          ) : null}
          <Form method="post" action="/admin/sign-out" className="admin-sign-out">
            <CsrfField />
            <button type="submit" className="button secondary">
              {t('admin.nav.signOut')}
            </button>
          </Form>
        </div>
      </div>
      <Outlet />
    </>
  )
}

/** Any admin page's error, inside the workspace's document (decision 0048). */
export function ErrorBoundary() {
  return <AdminErrorBoundary />
}
