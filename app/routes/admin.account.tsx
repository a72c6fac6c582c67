import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { CsrfField } from '~/components/csrf-field'
import { listMembershipsOfUser } from '~/models/membership.server'
import { endOwnSession, listActiveSessions, switchSessionOrganisation, signOutEverywhere } from '~/models/session.server'
import { adminError, clearSessionCookie, requireAdmin, requireAdminAction } from '~/http/auth.server'
import { badRequest } from '~/utils/form.server'
import { formatDate } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'

// Every member may manage their own sessions and pick their organisation, viewers included.
export const handle = { adminSelfService: true }

const id = z.string().regex(/^\d{1,18}$/)
export const AccountActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('end-session'), sessionId: id }),
  z.object({ intent: z.literal('sign-out-everywhere') }),
  z.object({ intent: z.literal('switch-organisation'), organisationId: id }),
])

const DONE = ['session-ended'] as const

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request)
  const t = makeTranslator(await getLocale(request))
  const [sessions, memberships] = await Promise.all([listActiveSessions(admin.user.id), listMembershipsOfUser(admin.user.id)])
  const done = new URL(request.url).searchParams.get('done')
  return data({
    pageTitle: t('admin.account.title'),
    email: admin.user.email,
    currentOrganisationId: admin.organisation.id,
    organisationName: admin.organisation.name,
    done: (DONE as readonly string[]).includes(done ?? '') ? (done as (typeof DONE)[number]) : null,
    sessions: sessions.map((s) => ({
      id: s.id,
      userAgent: s.userAgent,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      current: s.id === admin.sessionId,
    })),
    memberships: memberships.map((m) => ({ organisationId: m.organisation.id, name: m.organisation.name, role: m.role })),
  })
}

export async function action({ request }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'campaigns.view')
  const parsed = AccountActionSchema.safeParse(Object.fromEntries(form))
  if (!parsed.success) throw badRequest('error.formUnreadable')
  const input = parsed.data
  if (input.intent === 'sign-out-everywhere') {
    await signOutEverywhere(admin)
    return redirect('/admin/sign-in', { headers: { 'Set-Cookie': await clearSessionCookie() } })
  }
  if (input.intent === 'end-session') {
    if (!(await endOwnSession(admin, input.sessionId))) throw adminError(404, 'admin.error.notFound')
    if (input.sessionId === admin.sessionId) {
      return redirect('/admin/sign-in', { headers: { 'Set-Cookie': await clearSessionCookie() } })
    }
    return redirect('/admin/account?done=session-ended')
  }
  const switched = await switchSessionOrganisation({ sessionId: admin.sessionId, userId: admin.user.id }, input.organisationId)
  if (!switched) throw adminError(404, 'admin.error.notFound')
  return redirect('/admin')
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function Account() {
  const { email, sessions, memberships, currentOrganisationId, done } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  const when = (iso: string) => `${formatDate(locale, iso, 'medium')} ${iso.slice(11, 16)} UTC`
  return (
    <div className="wrap stack">
      <h1>{t('admin.account.title')}</h1>
      {done === 'session-ended' ? (
        <p className="success" role="status">
          {t('admin.account.sessionEnded')}
        </p>
      ) : null}
      <p>{t('admin.account.email', { email })}</p>

      {memberships.length > 1 ? (
        <section aria-labelledby="organisations-heading">
          <h2 id="organisations-heading">{t('admin.account.organisationsHeading')}</h2>
          <ul>
            {memberships.map((m) => (
              <li key={m.organisationId}>
                {m.name} ({t(`admin.role.${m.role}`)}){' '}
                {m.organisationId === currentOrganisationId ? (
                  <strong>{t('admin.account.current')}</strong>
                ) : (
                  <Form method="post" className="inline-form">
                    <CsrfField />
                    <input type="hidden" name="intent" value="switch-organisation" />
                    <input type="hidden" name="organisationId" value={m.organisationId} />
                    <button type="submit" className="button small secondary">
                      {t('admin.account.switch', { organisation: m.name })}
                    </button>
                  </Form>
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">{t('admin.account.sessionsHeading')}</h2>
        <div className="table-scroll">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{t('admin.account.device')}</th>
                <th scope="col">{t('admin.account.signedInAt')}</th>
                <th scope="col">{t('admin.account.lastSeen')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('admin.members.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.userAgent ?? t('admin.account.unknownDevice')}
                    {s.current ? <strong> ({t('admin.account.thisSession')})</strong> : null}
                  </td>
                  <td>{when(s.createdAt)}</td>
                  <td>{when(s.lastSeenAt)}</td>
                  <td>
                    <Form method="post" className="inline-form">
                      <CsrfField />
                      <input type="hidden" name="intent" value="end-session" />
                      <input type="hidden" name="sessionId" value={s.id} />
                      <button type="submit" className="button small secondary" aria-label={t('admin.account.endSessionLabel', { date: when(s.createdAt) })}>
                        {t('admin.account.endSession')}
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Form method="post">
          <CsrfField />
          <input type="hidden" name="intent" value="sign-out-everywhere" />
          <p className="hint" id="everywhere-hint">
            {t('admin.account.signOutEverywhereHint')}
          </p>
          <button type="submit" className="button danger" aria-describedby="everywhere-hint">
            {t('admin.account.signOutEverywhere')}
          </button>
        </Form>
      </section>
    </div>
  )
}
