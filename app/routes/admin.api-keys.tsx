import { getFormProps, getInputProps, getSelectProps } from '@conform-to/react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { ErrorSummary } from '~/components/error-summary'
import { CheckField, FormField } from '~/components/form-field'
import { DataTable } from '~/components/data-table'
import { IntentForm, RowAction, useIntentForm } from '~/components/intent-form'
import { API_KEY_SCOPES } from '#db/types'
import { createApiKey, listApiKeys, revokeApiKey, setApiKeyCrmSync } from '~/models/api-key.server'
import { OSDI_BASE_PATH } from '~/models/osdi.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { getEnv } from '~/utils/env.server'
import { NO_STORE } from '~/utils/http.server'
import { formatDate } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'
import { parseSubmission } from '~/utils/form.server'

export const CreateApiKeySchema = z.object({
  intent: z.literal('create'),
  name: z
    .string({ required_error: 'osdi.keys.error.name' })
    .trim()
    .min(1, 'osdi.keys.error.name')
    .max(100, 'osdi.keys.error.nameTooLong')
    .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'osdi.keys.error.name'),
  scope: z.enum(API_KEY_SCOPES, { errorMap: () => ({ message: 'osdi.keys.error.scope' }) }),
  // A ticked checkbox arrives as "on" (Conform makes it true); unticked, it is not sent at all.
  crmSync: z.boolean().optional().default(false),
})
const keyId = z
  .string()
  .max(18)
  .regex(/^\d{1,18}$/)
export const ApiKeyActionSchema = z.discriminatedUnion('intent', [
  CreateApiKeySchema,
  z.object({ intent: z.literal('revoke'), keyId }),
  z.object({ intent: z.literal('crm-sync'), keyId, crmSync: z.enum(['on', 'off']) }),
])

const DONE = ['revoked', 'crm-on', 'crm-off'] as const

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'api_keys.manage')
  const t = makeTranslator(await getLocale(request))
  const keys = await listApiKeys(admin.organisation.id)
  return data(
    {
      pageTitle: t('osdi.keys.title'),
      organisationName: admin.organisation.name,
      apiUrl: `${getEnv().APP_URL}${OSDI_BASE_PATH}`,
      done: readDone(request, DONE),
      keys: keys.map((k) => ({
        ...k,
        createdAt: k.createdAt.toISOString(),
        lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
        revokedAt: k.revokedAt?.toISOString() ?? null,
      })),
    },
    { headers: { 'Cache-Control': NO_STORE } },
  )
}

export async function action({ request }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'api_keys.manage')
  const noStore = { 'Cache-Control': NO_STORE }
  const submission = parseSubmission(form, ApiKeyActionSchema)
  if (submission.status !== 'success') {
    return data({ intent: String(form.get('intent') ?? ''), result: submission.reply(), created: null }, { status: 400, headers: noStore })
  }
  const input = submission.value
  if (input.intent === 'revoke') {
    if (!(await revokeApiKey(admin, input.keyId))) {
      return data({ intent: 'revoke', result: submission.reply({ formErrors: ['osdi.keys.error.gone'] }), created: null }, { status: 404, headers: noStore })
    }
    return redirect('/admin/api-keys?done=revoked', { headers: noStore })
  }
  if (input.intent === 'crm-sync') {
    if (!(await setApiKeyCrmSync(admin, input.keyId, input.crmSync === 'on'))) {
      return data({ intent: 'crm-sync', result: submission.reply({ formErrors: ['osdi.keys.error.gone'] }), created: null }, { status: 404, headers: noStore })
    }
    return redirect(`/admin/api-keys?done=crm-${input.crmSync}`, { headers: noStore })
  }
  const result = await createApiKey(admin, { name: input.name, scope: input.scope, crmSync: input.crmSync })
  if (result.status === 'too-many') {
    return data({ intent: 'create', result: submission.reply({ formErrors: ['osdi.keys.error.tooMany'] }), created: null }, { status: 409, headers: noStore })
  }
  // The only time the secret exists outside the client: answered to this POST, never stored,
  // never redirected through a URL, and not cached (decision 0014).
  return data(
    {
      intent: 'create',
      result: submission.reply({ resetForm: true }),
      created: { id: result.id, name: result.name, prefix: result.prefix, scope: result.scope, crmSync: result.crmSync, key: result.key },
    },
    { headers: noStore },
  )
}

export const headers = () => ({ 'Cache-Control': NO_STORE })

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

function CreateKeyForm() {
  const actionData = useActionData<typeof action>()
  const t = useT()
  const { form, fields, tr, formErrors, busy } = useIntentForm(CreateApiKeySchema, {
    id: 'create-api-key',
    lastResult: actionData?.intent === 'create' ? actionData.result : undefined,
    defaultValue: { scope: 'read' },
  })
  return (
    <IntentForm intent="create" {...getFormProps(form)} className="panel" aria-labelledby="create-key-heading">
      <h2 id="create-key-heading">{t('osdi.keys.createHeading')}</h2>
      <ErrorSummary heading={t('admin.error.summary')} headingLevel={3} formErrors={formErrors} />
      <FormField id={fields.name.id} label={t('osdi.keys.name')} hint={t('osdi.keys.nameHint')} error={tr(fields.name.errors?.[0])}>
        <input {...getInputProps(fields.name, { type: 'text' })} autoComplete="off" maxLength={100} key={fields.name.key} />
      </FormField>
      <FormField id={fields.scope.id} label={t('osdi.keys.scope')} error={tr(fields.scope.errors?.[0])}>
        <select {...getSelectProps(fields.scope)} key={fields.scope.key}>
          {API_KEY_SCOPES.map((scope) => (
            <option key={scope} value={scope}>
              {t(`osdi.keys.scope.${scope}`)}: {t(`osdi.keys.scopeHelp.${scope}`)}
            </option>
          ))}
        </select>
      </FormField>
      <CheckField field={fields.crmSync} label={t('osdi.keys.crmSync')} hint={t('osdi.keys.crmSyncHint')} />
      <button type="submit" className="button" disabled={busy}>
        {t('osdi.keys.createSubmit')}
      </button>
    </IntentForm>
  )
}

export default function ApiKeys() {
  const { organisationName, keys, apiUrl, done } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const created = actionData?.created ?? null
  const rowErrors =
    actionData && (actionData.intent === 'revoke' || actionData.intent === 'crm-sync') ? (actionData.result.error?.[''] ?? []).map((m) => t.message(m)) : []
  return (
    <div className="wrap stack">
      <h1>{t('osdi.keys.title')}</h1>
      <p>{t('osdi.keys.intro', { organisation: organisationName })}</p>
      <p>
        {t('osdi.keys.endpoint')} <code>{apiUrl}</code>
      </p>
      <div role="status">
        {created ? (
          <section className="success" aria-labelledby="new-key-heading">
            <h2 id="new-key-heading">{t('osdi.keys.createdHeading', { name: created.name })}</h2>
            <p>{t('osdi.keys.createdOnce')}</p>
            <div className="field">
              <label htmlFor="new-api-key">{t('osdi.keys.secretLabel')}</label>
              <input id="new-api-key" type="text" readOnly value={created.key} autoComplete="off" spellCheck={false} />
            </div>
            <p className="hint">{t('osdi.keys.howToUse')}</p>
          </section>
        ) : done ? (
          <p className="success">{t(`osdi.keys.done.${done}`)}</p>
        ) : null}
      </div>
      <ErrorSummary heading={t('admin.error.summary')} formErrors={rowErrors} />

      <section aria-labelledby="keys-heading">
        <h2 id="keys-heading">{t('osdi.keys.listHeading')}</h2>
        {keys.length === 0 ? (
          <p>{t('osdi.keys.none')}</p>
        ) : (
          <DataTable
            scroll={{ labelledBy: 'keys-heading' }}
            columns={[
              t('osdi.keys.name'),
              t('osdi.keys.prefix'),
              t('osdi.keys.scope'),
              t('osdi.keys.emails'),
              t('osdi.keys.created'),
              t('osdi.keys.lastUsed'),
              t('osdi.keys.status'),
            ]}
          >
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>chorus_{k.prefix}_…</code>
                </td>
                <td>{t(`osdi.keys.scope.${k.scope}`)}</td>
                <td>
                  {t(k.crmSync ? 'osdi.keys.emails.yes' : 'osdi.keys.emails.no')}
                  {k.revokedAt ? null : (
                    <IntentForm intent="crm-sync" fields={{ keyId: k.id, crmSync: k.crmSync ? 'off' : 'on' }} className="inline-form">
                      <button
                        type="submit"
                        className="button small secondary"
                        aria-label={t(k.crmSync ? 'osdi.keys.crmSyncOffLabel' : 'osdi.keys.crmSyncOnLabel', { name: k.name })}
                      >
                        {t(k.crmSync ? 'osdi.keys.crmSyncOff' : 'osdi.keys.crmSyncOn')}
                      </button>
                    </IntentForm>
                  )}
                </td>
                <td>
                  {formatDate(locale, k.createdAt, 'medium')}
                  {k.createdBy ? ` · ${k.createdBy}` : ''}
                </td>
                <td>{k.lastUsedAt ? formatDate(locale, k.lastUsedAt, 'medium') : t('osdi.keys.never')}</td>
                <td>
                  {k.revokedAt ? (
                    t('osdi.keys.revokedOn', { date: formatDate(locale, k.revokedAt, 'medium') })
                  ) : (
                    <RowAction intent="revoke" fields={{ keyId: k.id }} label={t('osdi.keys.revokeLabel', { name: k.name })} danger>
                      {t('osdi.keys.revoke')}
                    </RowAction>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>

      <CreateKeyForm />
    </div>
  )
}
