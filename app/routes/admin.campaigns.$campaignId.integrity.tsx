import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { HOLD_REASONS } from '#db/types'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { CsrfField } from '~/components/csrf-field'
import { requireOrganisationCampaign } from '~/http/campaign.server'
import {
  INTEGRITY_FILTER_STATES,
  INTEGRITY_WINDOWS,
  IntegrityActionKindSchema,
  IntegrityFilterSchema,
  IntegritySettingsSchema,
  PinnedFilterSchema,
} from '~/models/integrity-schema'
import { getIntegrityOverview, previewIntegrityAction, saveIntegritySettings, startIntegrityAction, type Ranked } from '~/models/integrity-review.server'
import { switchAttackMode } from '~/models/integrity.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { can } from '~/utils/permissions'
import { formatDate, formatNumber, type Translate } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'

// Every member reviews ('integrity.view'); owners and campaigners act ('integrity.act').
// No names or addresses here: email domains, client address fingerprints and counts.

const FILTER_KEYS = ['reason', 'domain', 'address', 'window', 'source', 'state'] as const

function filterSearch(kind: string, filter: Partial<Record<(typeof FILTER_KEYS)[number], string | undefined>>) {
  const params = new URLSearchParams({ kind })
  for (const key of FILTER_KEYS) if (filter[key]) params.set(key, filter[key]!)
  return `?${params.toString()}#bulk-heading`
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'integrity.view')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const canAct = can(admin.role, 'integrity.act')
  const url = new URL(request.url)
  const raw = Object.fromEntries(FILTER_KEYS.map((k) => [k, url.searchParams.get(k) ?? undefined]))
  const kind = IntegrityActionKindSchema.safeParse(url.searchParams.get('kind'))
  const parsed = IntegrityFilterSchema.safeParse(raw)
  const filterErrors = parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]))
  // The preview (GET, so it works without JavaScript): how many rows, pinned for the action.
  const preview = canAct && kind.success && parsed.success ? await previewIntegrityAction(campaign.id, kind.data, parsed.data) : null
  const overview = await getIntegrityOverview(campaign.id)
  const done = url.searchParams.get('done')
  return data(
    {
      campaign: { id: campaign.id, title: campaign.title },
      canAct,
      canSeeSupporters: can(admin.role, 'supporters.view'),
      canEdit: can(admin.role, 'campaigns.edit'),
      overview: {
        ...overview,
        attackMode: overview.attackMode ? { since: overview.attackMode.since.toISOString(), origin: overview.attackMode.origin } : null,
        held: overview.held.map((h) => ({ ...h, createdAt: h.createdAt.toISOString() })),
        actions: overview.actions.map((a) => ({ ...a, createdAt: a.createdAt.toISOString(), finishedAt: a.finishedAt?.toISOString() ?? null })),
      },
      values: { kind: kind.success ? kind.data : 'invalidate', ...Object.fromEntries(FILTER_KEYS.map((k) => [k, raw[k] ?? ''])) } as Record<string, string>,
      filterErrors,
      preview,
      done: done && /^(attack-on|attack-off|settings|action|started)$/.test(done) ? done : null,
      doneAction: done === 'action' || done === 'started' ? (overview.actions.find((a) => a.id === url.searchParams.get('action')) ?? null) : null,
      pageTitle: t('admin.integrity.title', { title: campaign.title }),
    },
    { status: parsed.success ? 200 : 400 },
  )
}

const ActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('attack-on') }),
  z.object({ intent: z.literal('attack-off') }),
  z.object({ intent: z.literal('settings') }).merge(IntegritySettingsSchema),
  z.object({ intent: z.literal('run'), kind: IntegrityActionKindSchema, previewed: z.coerce.number().int().min(0) }).merge(PinnedFilterSchema),
])

export async function action({ request, params }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'integrity.act')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const parsed = ActionSchema.safeParse(Object.fromEntries(form))
  const base = `/admin/campaigns/${campaign.id}/integrity`
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message
    return data({ error: message?.startsWith('admin.integrity.error.') ? message : 'admin.integrity.error.badRequest' }, { status: 400 })
  }
  const input = parsed.data
  const actor = { user: { id: admin.user.id }, organisation: { id: admin.organisation.id } }
  if (input.intent === 'attack-on' || input.intent === 'attack-off') {
    await switchAttackMode({ id: campaign.id, organisationId: admin.organisation.id }, input.intent === 'attack-on', admin.user.id)
    return redirect(`${base}?done=${input.intent}`)
  }
  if (input.intent === 'settings') {
    await saveIntegritySettings(actor, campaign.id, {
      domainLimit: input.domainLimit ?? null,
      addressLimit: input.addressLimit ?? null,
      holdDisposable: input.holdDisposable === 'default' ? null : input.holdDisposable === 'on',
    })
    return redirect(`${base}?done=settings`)
  }
  const { intent: _intent, kind, previewed, ...pinned } = input
  const started = await startIntegrityAction(actor, campaign.id, kind, pinned, previewed)
  return redirect(`${base}?done=${started.background ? 'started' : 'action'}&action=${started.id}`)
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

function RankedTable({ id, caption, rows, kind }: { id: string; caption: string; rows: Ranked[]; kind: 'domain' | 'address' }) {
  const t = useT()
  const locale = useLocale()
  return (
    <div className="integrity-ranked">
      <h4 id={id}>{caption}</h4>
      {rows.length === 0 ? (
        <p className="hint">{t('admin.integrity.nobody')}</p>
      ) : (
        <table className="data" aria-labelledby={id}>
          <thead>
            <tr>
              <th scope="col">{kind === 'domain' ? t('admin.integrity.col.domain') : t('admin.integrity.col.address')}</th>
              <th scope="col" className="num">
                {t('admin.integrity.col.count')}
              </th>
              <th scope="col">
                <span className="visually-hidden">{t('admin.integrity.review')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      )}
    </div>
  )
}

/** The label of a value read from the URL or a row: its message when it has one, else the value. */
function labelOf(t: Translate, key: string, value: unknown): string {
  const text = t.message(key)
  return text === key ? String(value) : text
}

function filterSummary(filter: Record<string, unknown>, t: ReturnType<typeof useT>) {
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

export default function IntegrityPage() {
  const { campaign, canAct, canSeeSupporters, canEdit, overview, values, filterErrors, preview, done, doneAction } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const n = (value: number) => formatNumber(locale, value)
  const date = (iso: string) => formatDate(locale, iso, 'medium')
  const fieldError = (key: string) => (filterErrors as Record<string, string>)[key]

  return (
    <main id="main" className="admin-page">
      <h1>{t('admin.integrity.title', { title: campaign.title })}</h1>
      <AdminCampaignNav campaignId={campaign.id} current="integrity" canEdit={canEdit} canSeeSupporters={canSeeSupporters} />
      <p>{t('admin.integrity.intro')}</p>
      {!canAct ? <p className="hint">{t('admin.integrity.readOnly')}</p> : null}

      <div role="status">
        {done === 'attack-on' ? <p className="notice">{t('admin.integrity.attackSwitchedOn')}</p> : null}
        {done === 'attack-off' ? <p className="notice">{t('admin.integrity.attackSwitchedOff')}</p> : null}
        {done === 'settings' ? <p className="notice">{t('admin.integrity.settingsSaved')}</p> : null}
        {done === 'action' && doneAction ? <p className="notice">{t('admin.integrity.done', { processed: n(doneAction.processed) })}</p> : null}
        {done === 'started' && doneAction ? <p className="notice">{t('admin.integrity.started', { previewed: n(doneAction.previewed) })}</p> : null}
        {actionData && 'error' in actionData ? <p className="field-error">{t.message(actionData.error)}</p> : null}
      </div>

      <section aria-labelledby="attack-heading">
        <h2 id="attack-heading">{t('admin.integrity.attackHeading')}</h2>
        <p data-attack-mode={overview.attackMode ? 'on' : 'off'}>
          {overview.attackMode
            ? t('admin.integrity.attackOn', {
                date: date(overview.attackMode.since),
                origin: t(`admin.integrity.attackOrigin.${overview.attackMode.origin}`),
              })
            : t('admin.integrity.attackOff')}
        </p>
        {canAct ? (
          <Form method="post">
            <CsrfField />
            <button type="submit" name="intent" value={overview.attackMode ? 'attack-off' : 'attack-on'} className="button secondary">
              {overview.attackMode ? t('admin.integrity.attackSwitchOff') : t('admin.integrity.attackSwitchOn')}
            </button>
          </Form>
        ) : null}
      </section>

      <section aria-labelledby="held-heading">
        <h2 id="held-heading">{t('admin.integrity.heldHeading')}</h2>
        <p data-stat="held">{overview.heldTotal > 0 ? t('admin.integrity.heldTotal', { count: overview.heldTotal }) : t('admin.integrity.heldNone')}</p>
        {overview.heldByReason.length > 0 ? (
          <table className="data">
            <caption>{t('admin.integrity.byReason')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.integrity.col.reason')}</th>
                <th scope="col" className="num">
                  {t('admin.integrity.col.count')}
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.heldByReason.map((r) => (
                <tr key={r.key}>
                  <th scope="row">{labelOf(t, `admin.integrity.reason.${r.key}`, r.key)}</th>
                  <td className="num">{n(r.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {overview.held.length > 0 ? (
          <div className="table-scroll" role="region" aria-labelledby="held-caption" tabIndex={0}>
            <table className="data">
              <caption id="held-caption">{t('admin.integrity.latestHeld')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.integrity.col.when')}</th>
                  <th scope="col">{t('admin.integrity.col.domain')}</th>
                  <th scope="col">{t('admin.integrity.col.address')}</th>
                  <th scope="col">{t('admin.integrity.col.reasons')}</th>
                  <th scope="col">{t('admin.integrity.col.source')}</th>
                  <th scope="col">{t('admin.integrity.col.confirmed')}</th>
                </tr>
              </thead>
              <tbody>
                {overview.held.map((h) => (
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
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="busiest-heading">
        <h2 id="busiest-heading">{t('admin.integrity.busiestHeading')}</h2>
        <p className="hint">{t('admin.integrity.busiestIntro')}</p>
        <div className="integrity-grid">
          <RankedTable id="domains-hour" caption={t('admin.integrity.domainsHour')} rows={overview.domains.hour} kind="domain" />
          <RankedTable id="domains-day" caption={t('admin.integrity.domainsDay')} rows={overview.domains.day} kind="domain" />
          <RankedTable id="addresses-hour" caption={t('admin.integrity.addressesHour')} rows={overview.addresses.hour} kind="address" />
          <RankedTable id="addresses-day" caption={t('admin.integrity.addressesDay')} rows={overview.addresses.day} kind="address" />
        </div>
      </section>

      {canAct ? (
        <section aria-labelledby="bulk-heading">
          <h2 id="bulk-heading">{t('admin.integrity.bulkHeading')}</h2>
          <p>{t('admin.integrity.bulkIntro')}</p>
          <Form method="get" className="integrity-filter">
            <div className="field">
              <label htmlFor="integrity-kind">{t('admin.integrity.field.kind')}</label>
              <select id="integrity-kind" name="kind" defaultValue={values.kind}>
                <option value="invalidate">{t('admin.integrity.kind.invalidate')}</option>
                <option value="release">{t('admin.integrity.kind.release')}</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="integrity-state">{t('admin.integrity.field.state')}</label>
              <span className="hint" id="integrity-state-hint">
                {t('admin.integrity.stateHint')}
              </span>
              <select id="integrity-state" name="state" defaultValue={values.state || 'held'} aria-describedby="integrity-state-hint">
                {INTEGRITY_FILTER_STATES.map((s) => (
                  <option key={s} value={s}>
                    {t(`admin.integrity.state.${s}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="integrity-reason">{t('admin.integrity.field.reason')}</label>
              <select id="integrity-reason" name="reason" defaultValue={values.reason}>
                <option value="">{t('admin.integrity.anyReason')}</option>
                {HOLD_REASONS.map((r) => (
                  <option key={r} value={r}>
                    {t(`admin.integrity.reason.${r}`)}
                  </option>
                ))}
              </select>
            </div>
            {(['domain', 'address', 'source'] as const).map((key) => (
              <div className="field" key={key}>
                <label htmlFor={`integrity-${key}`}>{t(`admin.integrity.field.${key}`)}</label>
                <input
                  id={`integrity-${key}`}
                  name={key}
                  type="text"
                  defaultValue={values[key]}
                  maxLength={key === 'domain' ? 253 : 100}
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={fieldError(key) ? true : undefined}
                  aria-describedby={fieldError(key) ? `integrity-${key}-error` : undefined}
                />
                {fieldError(key) ? (
                  <p className="field-error" id={`integrity-${key}-error`}>
                    {t.message(fieldError(key) ?? '')}
                  </p>
                ) : null}
              </div>
            ))}
            <div className="field">
              <label htmlFor="integrity-window">{t('admin.integrity.field.window')}</label>
              <select id="integrity-window" name="window" defaultValue={values.window || 'all'}>
                {INTEGRITY_WINDOWS.map((w) => (
                  <option key={w} value={w}>
                    {t(`admin.integrity.window.${w}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="button-row">
              <button type="submit" className="button">
                {t('admin.integrity.preview')}
              </button>
            </div>
          </Form>

          {preview ? (
            <div className="confirm-panel" role="region" aria-labelledby="preview-heading">
              <h3 id="preview-heading">{t('admin.integrity.previewHeading')}</h3>
              <p data-preview-rows={preview.rows} data-preview-change={preview.countChange}>
                {preview.rows === 0
                  ? t('admin.integrity.previewNone')
                  : preview.kind === 'release'
                    ? t('admin.integrity.previewRelease', { rows: n(preview.rows), change: n(preview.countChange) })
                    : t('admin.integrity.previewInvalidate', { rows: n(preview.rows), change: n(-preview.countChange) })}
              </p>
              {preview.rows > 0 ? (
                <Form method="post" className="button-row">
                  <CsrfField />
                  <input type="hidden" name="kind" value={preview.kind} />
                  <input type="hidden" name="previewed" value={preview.rows} />
                  <input type="hidden" name="upToId" value={preview.pinned.upToId} />
                  {preview.pinned.since ? <input type="hidden" name="since" value={preview.pinned.since} /> : null}
                  {FILTER_KEYS.map((k) =>
                    preview.pinned[k] !== undefined ? <input key={k} type="hidden" name={k} value={String(preview.pinned[k])} /> : null,
                  )}
                  <button type="submit" name="intent" value="run" className={preview.kind === 'invalidate' ? 'button danger' : 'button'}>
                    {preview.kind === 'release'
                      ? t('admin.integrity.confirmRelease', { rows: n(preview.rows) })
                      : t('admin.integrity.confirmInvalidate', { rows: n(preview.rows) })}
                  </button>
                  <Link to=".">{t('admin.integrity.cancel')}</Link>
                </Form>
              ) : null}
            </div>
          ) : null}
        </section>
      ) : null}

      {overview.actions.length > 0 ? (
        <section aria-labelledby="actions-heading">
          <h2 id="actions-heading">{t('admin.integrity.actionsHeading')}</h2>
          <div className="table-scroll" role="region" aria-labelledby="actions-heading" tabIndex={0}>
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">{t('admin.integrity.col.started')}</th>
                  <th scope="col">{t('admin.integrity.col.action')}</th>
                  <th scope="col">{t('admin.integrity.col.filter')}</th>
                  <th scope="col">{t('admin.integrity.col.progress')}</th>
                  <th scope="col" className="num">
                    {t('admin.integrity.col.countChange')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {overview.actions.map((a) => (
                  <tr key={a.id} data-action-status={a.status}>
                    <td>
                      <time dateTime={a.createdAt}>{date(a.createdAt)}</time>
                    </td>
                    <td>{t(`admin.integrity.kind.${a.kind}`)}</td>
                    <td>{filterSummary(a.filter, t)}</td>
                    <td>
                      {t('admin.integrity.progress', { processed: n(a.processed), previewed: n(a.previewed) })} ({t(`admin.integrity.status.${a.status}`)})
                    </td>
                    <td className="num">{a.countChange > 0 ? `+${n(a.countChange)}` : n(a.countChange)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      {canAct ? (
        <section aria-labelledby="settings-heading">
          <h2 id="settings-heading">{t('admin.integrity.settingsHeading')}</h2>
          <p className="hint">{t('admin.integrity.settingsIntro')}</p>
          <Form method="post">
            <CsrfField />
            <div className="field">
              <label htmlFor="integrity-domain-limit">{t('admin.integrity.field.domainLimit')}</label>
              <span className="hint" id="integrity-domain-limit-hint">
                {t('admin.integrity.defaultHint', { value: n(overview.defaults.domainLimit) })}
              </span>
              <input
                id="integrity-domain-limit"
                name="domainLimit"
                type="number"
                min={1}
                max={100000}
                defaultValue={overview.settings.domainLimit ?? ''}
                aria-describedby="integrity-domain-limit-hint"
              />
            </div>
            <div className="field">
              <label htmlFor="integrity-address-limit">{t('admin.integrity.field.addressLimit')}</label>
              <span className="hint" id="integrity-address-limit-hint">
                {t('admin.integrity.defaultHint', { value: n(overview.defaults.addressLimit) })}
              </span>
              <input
                id="integrity-address-limit"
                name="addressLimit"
                type="number"
                min={1}
                max={100000}
                defaultValue={overview.settings.addressLimit ?? ''}
                aria-describedby="integrity-address-limit-hint"
              />
            </div>
            <div className="field">
              <label htmlFor="integrity-disposable">{t('admin.integrity.field.disposable')}</label>
              <select
                id="integrity-disposable"
                name="holdDisposable"
                defaultValue={overview.settings.holdDisposable === null ? 'default' : overview.settings.holdDisposable ? 'on' : 'off'}
              >
                <option value="default">
                  {t('admin.integrity.disposable.default', {
                    value: overview.defaults.holdDisposable ? t('admin.integrity.disposable.on') : t('admin.integrity.disposable.off'),
                  })}
                </option>
                <option value="on">{t('admin.integrity.disposable.on')}</option>
                <option value="off">{t('admin.integrity.disposable.off')}</option>
              </select>
            </div>
            <div className="button-row">
              <button type="submit" name="intent" value="settings" className="button secondary">
                {t('admin.integrity.saveSettings')}
              </button>
            </div>
          </Form>
        </section>
      ) : null}
    </main>
  )
}
