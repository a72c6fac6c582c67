import { getFormProps, getInputProps } from '@conform-to/react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { ErrorSummary } from '~/components/error-summary'
import { FormField } from '~/components/form-field'
import { DataTable } from '~/components/data-table'
import { DoneMessage } from '~/components/done-message'
import { IntentForm, useIntentForm } from '~/components/intent-form'
import { addManualSuppression, countOrganisationUnsubscribes, listSuppressions, removeManualSuppression } from '~/models/email-preferences.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { formatDate, type MessageKey } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'
import { parseSubmission } from '~/utils/form.server'

// The organisation's suppression list (decision 0011). It shows supporters' addresses, so it and
// its changes need supporters.view: adding an address is entering personal data, and nobody
// should edit a list they may not read.

const email = z
  .string({ required_error: 'admin.suppressions.error.email' })
  .trim()
  .max(254, 'admin.suppressions.error.email')
  .email('admin.suppressions.error.email')

export const AddSuppressionSchema = z.object({ intent: z.literal('add'), email })
export const SuppressionActionSchema = z.discriminatedUnion('intent', [AddSuppressionSchema, z.object({ intent: z.literal('remove'), email })])

export const SuppressionSearchSchema = z.object({
  q: z.string().trim().max(254, 'admin.suppressions.error.search').optional().default(''),
  page: z.coerce.number().int().min(1).max(100_000).optional().default(1),
})

const DONE = ['added', 'removed'] as const

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'supporters.view')
  const t = makeTranslator(await getLocale(request))
  const url = new URL(request.url)
  const parsed = SuppressionSearchSchema.safeParse({ q: url.searchParams.get('q') ?? undefined, page: url.searchParams.get('page') ?? undefined })
  const search = parsed.success ? parsed.data : { q: '', page: 1 }
  const [list, organisationUnsubscribes] = await Promise.all([
    listSuppressions(admin.organisation.id, { query: search.q, page: search.page }),
    countOrganisationUnsubscribes(admin.organisation.id),
  ])
  return data(
    {
      pageTitle: t('admin.suppressions.title'),
      organisationName: admin.organisation.name,
      q: search.q,
      searchError: parsed.success ? null : 'admin.suppressions.error.search',
      done: readDone(request, DONE),
      organisationUnsubscribes,
      total: list.total,
      page: list.page,
      pageCount: list.pageCount,
      items: list.items.map((i) => ({ email: i.email, reason: i.reason, createdAt: i.createdAt.toISOString() })),
    },
    { status: parsed.success ? 200 : 400 },
  )
}

export async function action({ request }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'supporters.view')
  const submission = parseSubmission(form, SuppressionActionSchema)
  if (submission.status !== 'success') {
    return data({ intent: String(form.get('intent') ?? ''), result: submission.reply() }, { status: 400 })
  }
  const input = submission.value
  const fail = (status: number, message: MessageKey) => data({ intent: input.intent, result: submission.reply({ formErrors: [message] }) }, { status })
  if (input.intent === 'add') {
    const result = await addManualSuppression(admin, input.email)
    if (result.status === 'exists') return fail(409, 'admin.suppressions.error.exists')
    return redirect('/admin/suppressions?done=added')
  }
  const result = await removeManualSuppression(admin, input.email)
  if (result.status === 'not-found') return fail(404, 'admin.suppressions.error.gone')
  if (result.status === 'not-manual') return fail(409, 'admin.suppressions.error.notManual')
  return redirect('/admin/suppressions?done=removed')
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

function AddForm() {
  const actionData = useActionData<typeof action>()
  const t = useT()
  const { form, fields, tr, formErrors, busy } = useIntentForm(AddSuppressionSchema, {
    id: 'add-suppression',
    lastResult: actionData?.intent === 'add' ? actionData.result : undefined,
  })
  return (
    <IntentForm intent="add" {...getFormProps(form)} className="panel" aria-labelledby="add-heading">
      <h2 id="add-heading">{t('admin.suppressions.addHeading')}</h2>
      <ErrorSummary heading={t('admin.error.summary')} headingLevel={3} formErrors={formErrors} />
      <FormField id={fields.email.id} label={t('admin.suppressions.addEmail')} hint={t('admin.suppressions.addHint')} error={tr(fields.email.errors?.[0])}>
        <input {...getInputProps(fields.email, { type: 'email' })} autoComplete="off" spellCheck={false} key={fields.email.key} />
      </FormField>
      <button type="submit" className="button" disabled={busy}>
        {t('admin.suppressions.addSubmit')}
      </button>
    </IntentForm>
  )
}

export default function Suppressions() {
  const { organisationName, organisationUnsubscribes, items, total, page, pageCount, q, searchError, done } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const rowErrors = actionData && actionData.intent !== 'add' ? (actionData.result.error?.[''] ?? []).map((m) => t.message(m)) : []
  const pageLink = (n: number) => `/admin/suppressions?${new URLSearchParams({ ...(q ? { q } : {}), page: String(n) })}`
  return (
    <div className="wrap stack">
      <h1>{t('admin.suppressions.title')}</h1>
      <p>{t('admin.suppressions.intro', { organisation: organisationName })}</p>
      <DoneMessage>{done ? t(`admin.suppressions.done.${done}`) : null}</DoneMessage>
      <ErrorSummary heading={t('admin.error.summary')} formErrors={rowErrors} />
      <p>
        {t('admin.suppressions.organisationUnsubscribes', { count: organisationUnsubscribes })}{' '}
        <span className="hint">{t('admin.suppressions.unsubscribesNote')}</span>
      </p>

      <AddForm />

      <section aria-labelledby="list-heading" className="stack">
        <h2 id="list-heading">{t('admin.suppressions.listHeading', { count: total })}</h2>
        <Form method="get" className="search-form" role="search" aria-labelledby="search-heading">
          <h3 id="search-heading" className="visually-hidden">
            {t('admin.suppressions.searchHeading')}
          </h3>
          <div className="field">
            <label htmlFor="suppressions-q">{t('admin.suppressions.search')}</label>
            <input
              id="suppressions-q"
              name="q"
              type="search"
              defaultValue={q}
              maxLength={254}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={searchError ? true : undefined}
              aria-describedby={searchError ? 'suppressions-q-error' : undefined}
            />
            {searchError ? (
              <p className="field-error" id="suppressions-q-error">
                {t.message(searchError)}
              </p>
            ) : null}
          </div>
          <div className="button-row">
            <button type="submit" className="button secondary">
              {t('admin.suppressions.searchButton')}
            </button>
            {q ? <Link to="/admin/suppressions">{t('admin.suppressions.clear')}</Link> : null}
          </div>
        </Form>
        {items.length === 0 ? (
          <p>{q ? t('admin.suppressions.noMatches') : t('admin.suppressions.empty')}</p>
        ) : (
          <DataTable
            scroll={{ labelledBy: 'list-heading' }}
            columns={[t('admin.suppressions.email'), t('admin.suppressions.reason'), t('admin.suppressions.since'), t('admin.suppressions.actions')]}
          >
            {items.map((item) => (
              <tr key={`${item.email}/${item.createdAt}`}>
                <td>{item.email || t('admin.suppressions.erased')}</td>
                <td>{t(`admin.suppressions.reason.${item.reason}`)}</td>
                <td>
                  <time dateTime={item.createdAt}>{formatDate(locale, item.createdAt, 'medium')}</time>
                </td>
                <td>
                  {item.reason === 'manual' && item.email ? (
                    <IntentForm intent="remove" fields={{ email: item.email }} className="inline-form">
                      <button type="submit" className="button small secondary" aria-label={t('admin.suppressions.removeLabel', { email: item.email })}>
                        {t('admin.suppressions.remove')}
                      </button>
                    </IntentForm>
                  ) : (
                    <span className="hint">{t('admin.suppressions.permanent')}</span>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
        {pageCount > 1 ? (
          <nav className="pager" aria-label={t('admin.suppressions.paging')}>
            {page > 1 ? <Link to={pageLink(page - 1)}>{t('admin.suppressions.newer')}</Link> : null}
            <span>{t('admin.suppressions.pageOf', { page, pages: pageCount })}</span>
            {page < pageCount ? <Link to={pageLink(page + 1)}>{t('admin.suppressions.older')}</Link> : null}
          </nav>
        ) : null}
      </section>
    </div>
  )
}
