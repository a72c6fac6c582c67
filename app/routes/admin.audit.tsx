import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { en } from '~/locales/en'
import { listAuditEvents } from '~/models/audit.server'
import { requireAdmin } from '~/http/auth.server'
import { formatDate } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'
import { DataTable } from '~/components/data-table'

/** "from → to" for {from, to} pairs, the value itself otherwise: the changes column in words. */
function describeChange(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value) && ('from' in value || 'to' in value)) {
    const { from, to } = value as { from?: unknown; to?: unknown }
    return `${describeChange(from ?? '—')} → ${describeChange(to ?? '—')}`
  }
  if (value === null || value === undefined) return '—'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'audit.view')
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const before = new URL(request.url).searchParams.get('before')
  const { events, next } = await listAuditEvents(admin.organisation.id, { before: before && /^\d{1,18}$/.test(before) ? before : null })
  return data({
    pageTitle: t('admin.audit.title'),
    organisationName: admin.organisation.name,
    paged: Boolean(before),
    next,
    events: events.map((e) => {
      // Areas add labels for their own actions as admin.audit.action.<action>; unknown ones show as recorded.
      const labelKey = `admin.audit.action.${e.action}`
      return {
        id: e.id,
        at: e.createdAt.toISOString(),
        who: e.actor ? (e.actor.name ? `${e.actor.name} (${e.actor.email})` : e.actor.email) : null,
        what: labelKey in en ? t.message(labelKey) : e.action,
        subject: e.subjectEmail ?? (e.subjectId ? `${e.subjectType} #${e.subjectId}` : e.subjectType),
        changes: Object.entries(e.changes ?? {}).map(([key, value]) => ({ key, value: describeChange(value) })),
      }
    }),
  })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }]

export default function AuditLog() {
  const { organisationName, events, next, paged } = useLoaderData<typeof loader>()
  const t = useT()
  const locale = useLocale()
  return (
    <div className="wrap stack">
      <h1 id="audit-heading">{t('admin.audit.title')}</h1>
      <p>{t('admin.audit.intro', { organisation: organisationName })}</p>
      {events.length === 0 ? (
        <p>{t('admin.audit.empty')}</p>
      ) : (
        <DataTable
          scroll={{ labelledBy: 'audit-heading' }}
          columns={[t('admin.audit.when'), t('admin.audit.who'), t('admin.audit.what'), t('admin.audit.changes')]}
        >
          {events.map((e) => (
            <tr key={e.id}>
              <td>
                <time dateTime={e.at}>
                  {formatDate(locale, e.at, 'medium')} {e.at.slice(11, 19)} UTC
                </time>
              </td>
              <td>{e.who ?? t('admin.audit.system')}</td>
              <td>
                {e.what}
                <br />
                <span className="hint">{e.subject}</span>
              </td>
              <td>
                {e.changes.length === 0 ? (
                  t('admin.audit.noChanges')
                ) : (
                  <ul className="audit-changes">
                    {e.changes.map((c) => (
                      <li key={c.key}>
                        {c.key}: {c.value}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <nav className="pager" aria-label={t('admin.audit.title')}>
        {paged ? <Link to="/admin/audit">{t('admin.audit.newest')}</Link> : null}
        {next ? <Link to={`/admin/audit?before=${next}`}>{t('admin.audit.older')}</Link> : null}
      </nav>
    </div>
  )
}
