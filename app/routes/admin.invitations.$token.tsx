import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { acceptInvitation, getPendingInvitationByToken } from '~/models/invitation.server'
import { sessionCookie } from '~/http/auth.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

// The token is in the URL: never cached. A GET only shows the invitation (mail scanners open links).
export const handle = { adminPublic: true }

export async function loader({ request, params }: LoaderFunctionArgs) {
  const t = makeTranslator(await getLocale(request))
  const invitation = await getPendingInvitationByToken(params.token ?? '')
  if (!invitation) {
    return data({ invitation: null, pageTitle: t('admin.invitation.invalidTitle') }, { status: 410 })
  }
  return data({
    invitation: { email: invitation.email, role: invitation.role, organisationName: invitation.organisation.name },
    pageTitle: t('admin.invitation.title', { organisation: invitation.organisation.name }),
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const result = await acceptInvitation(params.token ?? '', { userAgent: request.headers.get('User-Agent'), locale })
  if (result.status === 'accepted') {
    return redirect('/admin', { headers: { 'Set-Cookie': await sessionCookie(result.sessionToken) } })
  }
  return data({ invalid: true, pageTitle: t('admin.invitation.invalidTitle') }, { status: 410 })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function AcceptInvitation() {
  const { invitation } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  if (!invitation || actionData?.invalid) {
    return (
      <div className="wrap narrow">
        <h1>{t('admin.invitation.invalidTitle')}</h1>
        <p>{t('admin.invitation.invalidBody')}</p>
      </div>
    )
  }
  const vars = { organisation: invitation.organisationName, role: t(`admin.role.${invitation.role}`) }
  return (
    <div className="wrap narrow">
      <h1>{t('admin.invitation.title', vars)}</h1>
      <div className="panel">
        <p>{t('admin.invitation.intro', vars)}</p>
        <p>{t(`admin.roleHelp.${invitation.role}`)}</p>
        <p>{t('admin.invitation.for', { email: invitation.email })}</p>
        <Form method="post">
          <button type="submit" className="button">
            {t('admin.invitation.accept')}
          </button>
        </Form>
      </div>
      <p className="hint">{t('admin.signInLink.why')}</p>
    </div>
  )
}
