import { getFormProps, getInputProps, getSelectProps } from '@conform-to/react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { ROLE_NAMES as ROLES } from '#db/types'
import { FormField } from '~/components/form-field'
import { inviteMember, listPendingInvitations, revokeInvitation } from '~/models/invitation.server'
import { changeRoleOfMember, listMembers, removeMemberFromOrganisation } from '~/models/membership.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { formatDate, type MessageKey } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'
import { ErrorSummary } from '~/components/error-summary'
import { DataTable } from '~/components/data-table'
import { DoneMessage } from '~/components/done-message'
import { IntentForm, RowAction, useIntentForm } from '~/components/intent-form'
import { parseSubmission } from '~/utils/form.server'

const id = z.string().regex(/^\d{1,18}$/)
const role = z.enum(ROLES, { errorMap: () => ({ message: 'admin.members.error.role' }) })

export const InviteSchema = z.object({
  intent: z.literal('invite'),
  email: z.string({ required_error: 'admin.members.error.email' }).trim().max(254, 'admin.members.error.email').email('admin.members.error.email'),
  role,
})
export const MemberActionSchema = z.discriminatedUnion('intent', [
  InviteSchema,
  z.object({ intent: z.literal('change-role'), userId: id, role }),
  z.object({ intent: z.literal('remove'), userId: id }),
  z.object({ intent: z.literal('revoke-invitation'), invitationId: id }),
])

const DONE = ['invited', 'roleChanged', 'removed', 'invitationRevoked'] as const
/** Invitations an organisation may send per hour: enough for a team, too few to spam with. */
const INVITES_PER_HOUR = 30

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'members.manage')
  const t = makeTranslator(await getLocale(request))
  const [members, invitations] = await Promise.all([listMembers(admin.organisation.id), listPendingInvitations(admin.organisation.id)])
  return data({
    pageTitle: t('admin.members.title'),
    organisationName: admin.organisation.name,
    me: admin.user.id,
    done: readDone(request, DONE),
    members: members.map((m) => ({ ...m, since: m.since.toISOString() })),
    invitations: invitations.map((i) => ({ ...i, createdAt: i.createdAt.toISOString(), expiresAt: i.expiresAt.toISOString() })),
  })
}

export async function action({ request }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'members.manage')
  const locale = await getLocale(request)
  const submission = parseSubmission(form, MemberActionSchema)
  if (submission.status !== 'success') {
    return data({ intent: String(form.get('intent') ?? ''), result: submission.reply() }, { status: 400 })
  }
  const input = submission.value
  const fail = (status: number, message: MessageKey) => data({ intent: input.intent, result: submission.reply({ formErrors: [message] }) }, { status })

  if (input.intent === 'invite') {
    const limit = await hitRateLimit(`admin-invite:${admin.organisation.id}`, { limit: INVITES_PER_HOUR, windowSeconds: 3600 })
    if (!limit.allowed) return fail(429, 'admin.members.error.rateLimited')
    const result = await inviteMember(admin, { email: input.email, role: input.role, locale })
    if (result.status === 'already-member') return fail(409, 'admin.members.error.alreadyMember')
    return redirect('/admin/members?done=invited')
  }
  if (input.intent === 'revoke-invitation') {
    if (!(await revokeInvitation(admin, input.invitationId))) return fail(404, 'admin.members.error.gone')
    return redirect('/admin/members?done=invitationRevoked')
  }
  const result =
    input.intent === 'change-role'
      ? await changeRoleOfMember(admin, { userId: input.userId, role: input.role })
      : await removeMemberFromOrganisation(admin, { userId: input.userId })
  if (result.status === 'not-found') return fail(404, 'admin.members.error.gone')
  if (result.status === 'last-owner') return fail(409, 'admin.members.error.lastOwner')
  // Someone who stepped down (or left) may no longer see this page.
  if (input.userId === admin.user.id) return redirect('/admin')
  return redirect(`/admin/members?done=${input.intent === 'remove' ? 'removed' : 'roleChanged'}`)
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

function InviteForm() {
  const actionData = useActionData<typeof action>()
  const t = useT()
  const { form, fields, tr, formErrors, busy } = useIntentForm(InviteSchema, {
    id: 'invite',
    lastResult: actionData?.intent === 'invite' ? actionData.result : undefined,
    defaultValue: { role: 'campaigner' },
  })
  return (
    <IntentForm intent="invite" {...getFormProps(form)} className="panel" aria-labelledby="invite-heading">
      <h2 id="invite-heading">{t('admin.members.inviteHeading')}</h2>
      <ErrorSummary heading={t('admin.error.summary')} headingLevel={3} formErrors={formErrors} />
      <FormField id={fields.email.id} label={t('admin.members.inviteEmail')} hint={t('admin.members.inviteHint')} error={tr(fields.email.errors?.[0])}>
        <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="off" spellCheck={false} key={fields.email.key} />
      </FormField>
      <FormField id={fields.role.id} label={t('admin.members.inviteRole')} error={tr(fields.role.errors?.[0])}>
        <select {...getSelectProps(fields.role)} key={fields.role.key}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`admin.role.${r}`)}: {t(`admin.roleHelp.${r}`)}
            </option>
          ))}
        </select>
      </FormField>
      <button type="submit" className="button" disabled={busy}>
        {t('admin.members.inviteSubmit')}
      </button>
    </IntentForm>
  )
}

export default function Members() {
  const { organisationName, members, invitations, me, done } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const rowError = actionData && actionData.intent !== 'invite' ? (actionData.result.error?.[''] ?? []).map((m) => t.message(m)) : []
  return (
    <div className="wrap stack">
      <h1>{t('admin.members.title')}</h1>
      <p>{t('admin.members.intro', { organisation: organisationName })}</p>
      <DoneMessage>{done ? t(`admin.members.done.${done}`) : null}</DoneMessage>
      <ErrorSummary heading={t('admin.error.summary')} formErrors={rowError} />

      <section aria-labelledby="members-heading">
        <h2 id="members-heading">{t('admin.members.title')}</h2>
        <DataTable
          className="stack-on-phone"
          scroll={{ labelledBy: 'members-heading' }}
          columns={[t('admin.members.person'), t('admin.members.role'), t('admin.members.since'), t('admin.members.actions')]}
        >
          {members.map((m) => (
            <tr key={m.userId}>
              <td data-label={t('admin.members.person')}>
                {m.name ? `${m.name} · ` : ''}
                {m.email} {m.userId === me ? t('admin.members.you') : null}
              </td>
              <td data-label={t('admin.members.role')}>{t(`admin.role.${m.role}`)}</td>
              <td data-label={t('admin.members.since')}>{formatDate(locale, m.since, 'medium')}</td>
              <td>
                <IntentForm intent="change-role" fields={{ userId: m.userId }} className="inline-form">
                  <label className="visually-hidden" htmlFor={`role-${m.userId}`}>
                    {t('admin.members.roleFor', { email: m.email })}
                  </label>
                  <select id={`role-${m.userId}`} name="role" defaultValue={m.role}>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`admin.role.${r}`)}
                      </option>
                    ))}
                  </select>
                  <button type="submit" className="button small secondary" aria-label={t('admin.members.saveRoleLabel', { email: m.email })}>
                    {t('admin.members.saveRole')}
                  </button>
                </IntentForm>{' '}
                <RowAction intent="remove" fields={{ userId: m.userId }} label={t('admin.members.removeLabel', { email: m.email })} danger>
                  {t('admin.members.remove')}
                </RowAction>
              </td>
            </tr>
          ))}
        </DataTable>
      </section>

      <section aria-labelledby="pending-heading">
        <h2 id="pending-heading">{t('admin.members.pendingHeading')}</h2>
        {invitations.length === 0 ? (
          <p>{t('admin.members.noPending')}</p>
        ) : (
          <DataTable
            className="stack-on-phone"
            scroll={{ labelledBy: 'pending-heading' }}
            columns={[t('admin.members.person'), t('admin.members.role'), t('admin.members.invitedBy'), t('admin.members.expires'), t('admin.members.actions')]}
          >
            {invitations.map((i) => (
              <tr key={i.id}>
                <td data-label={t('admin.members.person')}>{i.email}</td>
                <td data-label={t('admin.members.role')}>{t(`admin.role.${i.role}`)}</td>
                <td data-label={t('admin.members.invitedBy')}>{i.invitedBy ?? ''}</td>
                <td data-label={t('admin.members.expires')}>{formatDate(locale, i.expiresAt, 'medium')}</td>
                <td>
                  <RowAction
                    intent="revoke-invitation"
                    fields={{ invitationId: i.id }}
                    label={t('admin.members.revokeInvitationLabel', { email: i.email })}
                    danger
                  >
                    {t('admin.members.revokeInvitation')}
                  </RowAction>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>

      <InviteForm />
    </div>
  )
}
