import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { signOut } from '~/models/session.server'
import { adminError, clearSessionCookie, getAdminSession, isValidCsrf, requireAdmin, signInRedirect } from '~/http/auth.server'
import { readForm } from '~/utils/form.server'

// Every member may sign themselves out, viewers included: it changes only their own session.
export const handle = { adminSelfService: true }

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdmin(request)
  return redirect('/admin/account')
}

export async function action({ request }: ActionFunctionArgs) {
  const state = await getAdminSession(request)
  if (!state) throw signInRedirect(request)
  // Not requireAdminAction: someone who no longer belongs to any organisation may still sign out.
  const form = await readForm(request)
  if (!isValidCsrf(state.session.id, form.get('csrf'))) throw adminError(403, 'admin.error.csrf')
  await signOut(state.session, state.admin)
  return redirect('/admin/sign-in', { headers: { 'Set-Cookie': await clearSessionCookie() } })
}
