import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { listMembershipsOfUser } from '~/models/membership.server'
import { endOwnSession, listActiveSessions, switchSessionOrganisation, signOutEverywhere } from '~/models/session.server'
import { adminError, clearSessionCookie, requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { badRequest } from '~/utils/form.server'
import { formatDate } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'
import { DataTable } from '~/components/data-table'
import { DoneMessage } from '~/components/done-message'
import { IntentForm } from '~/components/intent-form'

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
  return data({
    pageTitle: t('admin.account.title'),
    email: admin.user.email,
    currentOrganisationId: admin.organisation.id,
    organisationName: admin.organisation.name,
    done: readDone(request, DONE),
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
      <DoneMessage>{done === 'session-ended' ? t('admin.account.sessionEnded') : null}</DoneMessage>
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
                  <IntentForm intent="switch-organisation" fields={{ organisationId: m.organisationId }} className="inline-form">
                    <button type="submit" className="button small secondary">
                      {t('admin.account.switch', { organisation: m.name })}
                    </button>
                  </IntentForm>
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">{t('admin.account.sessionsHeading')}</h2>
        <DataTable
          scroll={{ labelledBy: 'sessions-heading' }}
          columns={[
            t('admin.account.device'),
            t('admin.account.signedInAt'),
            t('admin.account.lastSeen'),
            { label: t('admin.members.actions'), hiddenLabel: true },
          ]}
        >
          {sessions.map((s) => (
            <tr key={s.id}>
              <td>
                {s.userAgent ?? t('admin.account.unknownDevice')}
                {s.current ? <strong> ({t('admin.account.thisSession')})</strong> : null}
              </td>
              <td>{when(s.createdAt)}</td>
              <td>{when(s.lastSeenAt)}</td>
              <td>
                <IntentForm intent="end-session" fields={{ sessionId: s.id }} className="inline-form">
                  <button type="submit" className="button small secondary" aria-label={t('admin.account.endSessionLabel', { date: when(s.createdAt) })}>
                    {t('admin.account.endSession')}
                  </button>
                </IntentForm>
              </td>
            </tr>
          ))}
        </DataTable>
        <IntentForm intent="sign-out-everywhere">
          <p className="hint" id="everywhere-hint">
            {t('admin.account.signOutEverywhereHint')}
          </p>
          <button type="submit" className="button danger" aria-describedby="everywhere-hint">
            {t('admin.account.signOutEverywhere')}
          </button>
        </IntentForm>
      </section>
    </div>
  )
}
