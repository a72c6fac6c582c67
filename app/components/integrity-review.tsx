import { Link } from '@remix-run/react'
import { DataTable } from '~/components/data-table'
import type { HeldSignature, IntegrityAction, Ranked } from '~/models/integrity-review.server'
import { formatDate, formatNumber, type Translate } from '~/utils/i18n'
import { useLocale, useT } from '~/utils/use-t'

// The Integrity tab's tables (decision 0030): counts, email domains and client
// address fingerprints, never names or addresses.

/** The filter's fields, in the order the URL and the pinned action carry them. */
export const FILTER_KEYS = ['reason', 'domain', 'address', 'window', 'source', 'state'] as const
export type FilterKey = (typeof FILTER_KEYS)[number]

/** The preview link for a filter: the bulk form, filled in and scrolled to. */
export function filterSearch(kind: string, filter: Partial<Record<FilterKey, string | undefined>>) {
  const params = new URLSearchParams({ kind })
  for (const key of FILTER_KEYS) {
    const value = filter[key]
    if (value) params.set(key, value)
  }
  return `?${params.toString()}#bulk-heading`
}

/** The label of a value read from the URL or a row: its message when it has one, else the value. */
export function labelOf(t: Translate, key: string, value: unknown): string {
  const text = t.message(key)
  return text === key ? String(value) : text
}

function filterSummary(filter: Record<string, unknown>, t: Translate) {
  const parts: string[] = []
  const label = (key: string, value: unknown) => labelOf(t, key, value)
  if (filter.state) parts.push(label(`admin.integrity.state.${String(filter.state)}`, filter.state))
  if (filter.reason) parts.push(label(`admin.integrity.reason.${String(filter.reason)}`, filter.reason))
  if (filter.domain) parts.push(String(filter.domain))
  if (filter.address) parts.push(String(filter.address))
  if (filter.source) parts.push(String(filter.source))
  if (filter.window) parts.push(label(`admin.integrity.window.${String(filter.window)}`, filter.window))
  return parts.join(' · ')
}

/** The busiest email domains or address fingerprints of a window, each with a link to review it. */
export function RankedTable({ id, caption, rows, kind }: { id: string; caption: string; rows: Ranked[]; kind: 'domain' | 'address' }) {
  const t = useT()
  const locale = useLocale()
  return (
    <div className="integrity-ranked">
      <h4 id={id}>{caption}</h4>
      {rows.length === 0 ? (
        <p className="hint">{t('admin.integrity.nobody')}</p>
      ) : (
        <DataTable
          labelledBy={id}
          columns={[
            kind === 'domain' ? t('admin.integrity.col.domain') : t('admin.integrity.col.address'),
            { label: t('admin.integrity.col.count'), numeric: true },
            { label: t('admin.integrity.review'), hiddenLabel: true },
          ]}
        >
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">
                <code>{r.key}</code>
              </th>
              <td className="num">{formatNumber(locale, r.count)}</td>
              <td>
                <Link
                  to={filterSearch('invalidate', { [kind]: r.key, state: 'any', window: id.endsWith('hour') ? '1h' : '24h' })}
                  aria-label={
                    kind === 'domain' ? t('admin.integrity.reviewDomain', { domain: r.key }) : t('admin.integrity.reviewAddress', { fingerprint: r.key })
                  }
                >
                  {t('admin.integrity.review')}
                </Link>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  )
}

type Serialized<T> = Omit<T, 'createdAt' | 'finishedAt'> & { createdAt: string }

/** Held signatures: how many for each reason, then the latest ones. */
export function HeldTables({ heldByReason, held }: { heldByReason: Ranked[]; held: Serialized<HeldSignature>[] }) {
  const t = useT()
  const locale = useLocale()
  const date = (iso: string) => formatDate(locale, iso, 'medium')
  return (
    <>
      {heldByReason.length > 0 ? (
        <DataTable
          caption={t('admin.integrity.byReason')}
          columns={[t('admin.integrity.col.reason'), { label: t('admin.integrity.col.count'), numeric: true }]}
        >
          {heldByReason.map((r) => (
            <tr key={r.key}>
              <th scope="row">{labelOf(t, `admin.integrity.reason.${r.key}`, r.key)}</th>
              <td className="num">{formatNumber(locale, r.count)}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {held.length > 0 ? (
        <DataTable
          caption={t('admin.integrity.latestHeld')}
          captionId="held-caption"
          scroll
          columns={[
            t('admin.integrity.col.when'),
            t('admin.integrity.col.domain'),
            t('admin.integrity.col.address'),
            t('admin.integrity.col.reasons'),
            t('admin.integrity.col.source'),
            t('admin.integrity.col.confirmed'),
          ]}
        >
          {held.map((h) => (
            <tr key={h.id}>
              <td>
                <time dateTime={h.createdAt}>{date(h.createdAt)}</time>
              </td>
              <td>{h.domain ?? '—'}</td>
              <td>
                <code>{h.fingerprint ?? '—'}</code>
              </td>
              <td>{h.reasons.map((r) => t(`admin.integrity.reason.${r}`)).join(', ')}</td>
              <td>{h.source || t('admin.integrity.noSource')}</td>
              <td>{h.confirmed ? t('admin.integrity.yes') : t('admin.integrity.no')}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </>
  )
}

/** The bulk actions taken, newest first, with their progress and how the count moved. */
export function IntegrityActionsTable({ actions }: { actions: Serialized<IntegrityAction>[] }) {
  const t = useT()
  const locale = useLocale()
  const n = (value: number) => formatNumber(locale, value)
  return (
    <DataTable
      scroll={{ labelledBy: 'actions-heading' }}
      columns={[
        t('admin.integrity.col.started'),
        t('admin.integrity.col.action'),
        t('admin.integrity.col.filter'),
        t('admin.integrity.col.progress'),
        { label: t('admin.integrity.col.countChange'), numeric: true },
      ]}
    >
      {actions.map((a) => (
        <tr key={a.id} data-action-status={a.status}>
          <td>
            <time dateTime={a.createdAt}>{formatDate(locale, a.createdAt, 'medium')}</time>
          </td>
          <td>{t(`admin.integrity.kind.${a.kind}`)}</td>
          <td>{filterSummary(a.filter, t)}</td>
          <td>
            {t('admin.integrity.progress', { processed: n(a.processed), previewed: n(a.previewed) })} ({t(`admin.integrity.status.${a.status}`)})
          </td>
          <td className="num">{a.countChange > 0 ? `+${n(a.countChange)}` : n(a.countChange)}</td>
        </tr>
      ))}
    </DataTable>
  )
}
