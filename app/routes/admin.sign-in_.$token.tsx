import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { isSignInTokenUsable, signInWithToken } from '~/models/sign-in.server'
import { safeAdminNext, sessionCookie } from '~/http/auth.server'
import { NO_STORE } from '~/utils/http.server'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useT } from '~/utils/use-t'

// The token is in the URL: never cached (the server entry keeps it out of Referer headers).
export const handle = { adminPublic: true }
const PRIVATE = { 'Cache-Control': NO_STORE }

export async function loader({ request, params }: LoaderFunctionArgs) {
  const t = makeTranslator(await getLocale(request))
  // A GET signs nobody in: mail scanners open links. It only says whether the button will work.
  if (await isSignInTokenUsable(params.token ?? '')) {
    return data({ state: 'ready' as const, pageTitle: t('admin.signInLink.title') }, { headers: PRIVATE })
  }
  return data({ state: 'invalid' as const, pageTitle: t('admin.signInLink.invalidTitle') }, { status: 410, headers: PRIVATE })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const t = makeTranslator(await getLocale(request))
  const result = await signInWithToken(params.token ?? '', { userAgent: request.headers.get('User-Agent') })
  if (result.status === 'signed-in') {
    return redirect(safeAdminNext(result.next) ?? '/admin', { headers: { ...PRIVATE, 'Set-Cookie': await sessionCookie(result.sessionToken) } })
  }
  if (result.status === 'no-membership') {
    return data({ state: 'no-membership' as const, email: result.email, pageTitle: t('admin.signInLink.noMembershipTitle') }, { status: 403, headers: PRIVATE })
  }
  return data(
    { state: 'invalid' as const, email: null, pageTitle: t('admin.signInLink.invalidTitle') },
    { status: result.status === 'spent' ? 410 : 404, headers: PRIVATE },
  )
}

export const headers = () => PRIVATE

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function SignInWithLink() {
  const loaderData = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const state = actionData?.state ?? loaderData.state
  if (state === 'no-membership') {
    return (
      <div className="wrap narrow">
        <h1>{t('admin.signInLink.noMembershipTitle')}</h1>
        <p>{t('admin.signInLink.noMembershipBody', { email: actionData?.email ?? '' })}</p>
      </div>
    )
  }
  if (state === 'invalid') {
    return (
      <div className="wrap narrow">
        <h1>{t('admin.signInLink.invalidTitle')}</h1>
        <p>{t('admin.signInLink.invalidBody')}</p>
        <p>
          <Link to="/admin/sign-in">{t('admin.signInLink.requestNew')}</Link>
        </p>
      </div>
    )
  }
  return (
    <div className="wrap narrow">
      <h1>{t('admin.signInLink.title')}</h1>
      <div className="panel">
        <p>{t('admin.signInLink.intro')}</p>
        <Form method="post">
          <button type="submit" className="button">
            {t('admin.signInLink.button')}
          </button>
        </Form>
      </div>
      <p className="hint">{t('admin.signInLink.why')}</p>
    </div>
  )
}
