import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { z } from 'zod'
import { INVALIDATION_REASONS, SIGNATURE_STATES } from '#db/types'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { DataTable } from '~/components/data-table'
import { DoneMessage } from '~/components/done-message'
import { IntentForm } from '~/components/intent-form'
import { requireOrganisationCampaign } from '~/http/campaign.server'
import { OWNER_INTENTS, SupporterActionSchema, SupporterListQuerySchema } from '~/models/supporter-schema'
import { eraseSupporterOf } from '~/models/supporter-request.server'
import { getSupporter, invalidateSignature, listSupporters, removeSignature, type Supporter } from '~/models/supporter.server'
import { adminError, requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { can } from '~/utils/permissions'
import { countryName } from '~/utils/countries.server'
import { formatDate, type Locale } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'

// Personal data: owners and campaigners only ('supporters.view'); viewers get a 403 (decision 0006).
// Exporting or erasing everything held for a supporter's address is for owners only
// ('supporters.erase', decision 0045), checked here on the server whatever the page showed.

/** What the list was showing, carried through a confirmation and an action so the person lands back on it. */
export const ListStateSchema = z.object({
  q: z.string().max(200).optional(),
  state: z.enum(SIGNATURE_STATES).optional().catch(undefined),
})

function listSearch(state: { q?: string; state?: string }, extra: Record<string, string> = {}) {
  const params = new URLSearchParams()
  if (state.q) params.set('q', state.q)
  if (state.state) params.set('state', state.state)
  for (const [key, value] of Object.entries(extra)) params.set(key, value)
  const text = params.toString()
  return text ? `?${text}` : ''
}

function supporterView(s: Supporter, locale: Locale) {
  return {
    id: s.id,
    fullName: s.fullName,
    email: s.email,
    country: countryName(s.country, locale),
    state: s.state,
    consentUpdates: s.consentUpdates,
    consentShowName: s.consentShowName,
    createdAt: s.createdAt.toISOString(),
    confirmedAt: s.confirmedAt?.toISOString() ?? null,
    invalidationReason: s.invalidationReason,
    contactErased: s.contactErased,
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'supporters.view')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const locale = await getLocale(request)
  const t = makeTranslator(locale)
  const url = new URL(request.url)
  const raw = Object.fromEntries(['q', 'state', 'after', 'before'].flatMap((k) => (url.searchParams.has(k) ? [[k, url.searchParams.get(k)!]] : [])))
  const parsed = SupporterListQuerySchema.safeParse(raw)
  const searchError = parsed.success ? null : (parsed.error.issues.find((i) => i.path[0] === 'q')?.message ?? 'admin.supporters.error.badRequest')
  const query = parsed.success ? parsed.data : {}
  const page = parsed.success ? await listSupporters(campaign.id, query) : { supporters: [], older: null, newer: null }

  // The confirmation step (no JavaScript needed): ?remove=<id>, ?invalidate=<id> or ?erase=<id> shows what will happen.
  const canErase = can(admin.role, 'supporters.erase')
  const removeId = url.searchParams.get('remove')
  const invalidateId = url.searchParams.get('invalidate')
  const eraseId = url.searchParams.get('erase')
  if (eraseId && !canErase) throw adminError(403, 'admin.error.forbidden')
  const selectedId = removeId ?? invalidateId ?? eraseId
  const selected = selectedId ? await getSupporter(campaign.id, selectedId) : null
  if (selectedId && !selected) throw adminError(404, 'admin.error.notFound')
  const kind = removeId ? ('remove' as const) : invalidateId ? ('invalidate' as const) : ('erase' as const)

  return data(
    {
      campaign: { id: campaign.id, title: campaign.title },
      canEdit: can(admin.role, 'campaigns.edit'),
      canErase,
      values: { q: raw.q ?? '', state: typeof raw.state === 'string' && (SIGNATURE_STATES as readonly string[]).includes(raw.state) ? raw.state : '' },
      searchError,
      paged: !!(query.after || query.before),
      supporters: page.supporters.map((s) => supporterView(s, locale)),
      older: page.older,
      newer: page.newer,
      confirm: selected ? { kind, supporter: supporterView(selected, locale) } : null,
      done: readDone(request, ['removed', 'invalidated', 'erased']),
      pageTitle: t('admin.supporters.title', { title: campaign.title }),
    },
    { status: searchError ? 400 : 200 },
  )
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'supporters.view')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  if ((OWNER_INTENTS as readonly unknown[]).includes(form.get('intent')) && !can(admin.role, 'supporters.erase')) {
    throw adminError(403, 'admin.error.forbidden')
  }
  const back = ListStateSchema.safeParse({ q: form.get('q') || undefined, state: form.get('state') || undefined })
  const listState = back.success ? back.data : {}
  const parsed = SupporterActionSchema.safeParse(Object.fromEntries(form))
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message
    const error = message?.startsWith('admin.supporters.error.') ? message : 'admin.supporters.error.badRequest'
    return data({ error, signatureId: String(form.get('signatureId') ?? '') }, { status: 400 })
  }
  const input = parsed.data
  if (input.intent === 'erase') {
    const result = await eraseSupporterOf(admin, campaign.id, input.signatureId)
    if (result.status === 'not-found') throw adminError(404, 'admin.error.notFound')
    if (result.status === 'already-erased') {
      return data({ error: 'admin.supporters.error.alreadyErased', signatureId: input.signatureId }, { status: 409 })
    }
    return redirect(`/admin/campaigns/${campaign.id}/supporters${listSearch(listState, { done: 'erased' })}`)
  }
  if (input.intent === 'remove') {
    const result = await removeSignature(admin, campaign.id, input.signatureId)
    if (result.status === 'not-found') throw adminError(404, 'admin.error.notFound')
  } else {
    const result = await invalidateSignature(admin, campaign.id, input.signatureId, input.reason)
    if (result.status === 'not-found') throw adminError(404, 'admin.error.notFound')
    if (result.status === 'already-invalidated') {
      return data({ error: 'admin.supporters.error.alreadyInvalidated', signatureId: input.signatureId }, { status: 409 })
    }
  }
  const done = input.intent === 'remove' ? 'removed' : 'invalidated'
  return redirect(`/admin/campaigns/${campaign.id}/supporters${listSearch(listState, { done })}`)
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

type SupporterRow = ReturnType<typeof supporterView>

function ConfirmPanel({
  kind,
  supporter,
  listState,
  error,
}: {
  kind: 'remove' | 'invalidate' | 'erase'
  supporter: SupporterRow
  listState: { q: string; state: string }
  error: string | null
}) {
  const t = useT()
  const navigation = useNavigation()
  const cancel = listSearch(listState)
  const headingId = `${kind}-heading`
  const already =
    kind === 'invalidate' && supporter.state === 'invalidated'
      ? 'admin.supporters.error.alreadyInvalidated'
      : kind === 'erase' && supporter.contactErased
        ? 'admin.supporters.error.alreadyErased'
        : null
  if (already) {
    return (
      <section className="panel confirm-panel" aria-labelledby={headingId}>
        <h2 id={headingId}>{t(already)}</h2>
        <p>
          <Link to={cancel || '.'}>{t('admin.supporters.backToList')}</Link>
        </p>
      </section>
    )
  }
  return (
    <section className="panel confirm-panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t(`admin.supporters.${kind}Heading`)}</h2>
      <p>
        <strong>
          {supporter.contactErased
            ? t('admin.supporters.erasedRow')
            : t('admin.supporters.selected', {
                name: supporter.fullName,
                email: supporter.email,
                state: t(`admin.supporters.state.${supporter.state}`),
              })}
        </strong>
      </p>
      <p>{t(`admin.supporters.${kind}Body`)}</p>
      <div role="alert">{error ? <p className="field-error">{t.message(error)}</p> : null}</div>
      {/* Posts to this very URL, so a refused form comes back with the same confirmation open. */}
      <IntentForm intent={kind} fields={{ signatureId: supporter.id }} className="confirm-form">
        {listState.q ? <input type="hidden" name="q" value={listState.q} /> : null}
        {listState.state ? <input type="hidden" name="state" value={listState.state} /> : null}
        {kind !== 'invalidate' ? (
          <input type="hidden" name="confirm" value="yes" />
        ) : (
          <div className="field">
            <label htmlFor="invalidate-reason">{t('admin.supporters.reason')}</label>
            <select id="invalidate-reason" name="reason" required defaultValue="">
              <option value="" disabled>
                {t('admin.supporters.reasonChoose')}
              </option>
              {INVALIDATION_REASONS.map((reason) => (
                <option key={reason} value={reason}>
                  {t(`admin.supporters.reason.${reason}`)}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="button-row">
          <button type="submit" className={kind === 'invalidate' ? 'button' : 'button danger'} disabled={navigation.state === 'submitting'}>
            {t(`admin.supporters.${kind}Button`)}
          </button>
          <Link to={cancel || '.'}>{t('admin.supporters.cancel')}</Link>
        </div>
      </IntentForm>
    </section>
  )
}

export default function Supporters() {
  const { campaign, canEdit, canErase, values, searchError, paged, supporters, older, newer, confirm, done } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const date = (iso: string) => formatDate(locale, iso, 'medium')
  const actionError = actionData && 'error' in actionData ? actionData.error : null
  return (
    <div className="wrap">
      <p className="eyebrow">
        <Link to="/admin">{t('admin.nav.campaigns')}</Link>
      </p>
      <h1>{campaign.title}</h1>
      <AdminCampaignNav campaignId={campaign.id} current="supporters" canEdit={canEdit} canSeeSupporters />
      <h2>{t('admin.supporters.heading')}</h2>
      <p className="hint">{t('admin.supporters.intro')}</p>
      <DoneMessage tone="notice">{done ? t(`admin.supporters.done.${done}`) : null}</DoneMessage>
      {actionError && !confirm ? (
        <div role="alert" className="error-summary">
          <p>{t.message(actionError)}</p>
        </div>
      ) : null}

      {confirm ? <ConfirmPanel kind={confirm.kind} supporter={confirm.supporter} listState={values} error={actionError} /> : null}

      <Form method="get" className="search-form" role="search" aria-labelledby="search-heading">
        <h3 id="search-heading" className="visually-hidden">
          {t('admin.supporters.searchHeading')}
        </h3>
        <div className="field">
          <label htmlFor="supporters-q">{t('admin.supporters.search')}</label>
          <span className="hint" id="supporters-q-hint">
            {t('admin.supporters.searchHint')}
          </span>
          <input
            id="supporters-q"
            name="q"
            type="search"
            defaultValue={values.q}
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={searchError ? true : undefined}
            aria-describedby={searchError ? 'supporters-q-hint supporters-q-error' : 'supporters-q-hint'}
          />
          {searchError ? (
            <p className="field-error" id="supporters-q-error">
              {t.message(searchError)}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="supporters-state">{t('admin.supporters.stateFilter')}</label>
          <select id="supporters-state" name="state" defaultValue={values.state}>
            <option value="">{t('admin.supporters.stateAll')}</option>
            {SIGNATURE_STATES.map((state) => (
              <option key={state} value={state}>
                {t(`admin.supporters.state.${state}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="button-row">
          <button type="submit" className="button">
            {t('admin.supporters.searchButton')}
          </button>
          {values.q || values.state ? <Link to=".">{t('admin.supporters.clear')}</Link> : null}
        </div>
      </Form>

      {supporters.length === 0 ? (
        <p>{values.q || values.state || paged ? t('admin.supporters.empty') : t('admin.supporters.emptyCampaign')}</p>
      ) : (
        <DataTable
          className="supporters-table"
          caption={t('admin.supporters.tableCaption')}
          captionId="supporters-caption"
          captionHidden
          scroll
          columns={[
            t('admin.supporters.name'),
            t('admin.supporters.email'),
            t('admin.supporters.country'),
            t('admin.supporters.state'),
            t('admin.supporters.consents'),
            t('admin.supporters.signedAt'),
            t('admin.supporters.confirmedAt'),
            t('admin.supporters.actions'),
          ]}
        >
          {supporters.map((s) => {
            const consents = [
              s.consentUpdates ? t('admin.supporters.consentUpdates') : null,
              s.consentShowName ? t('admin.supporters.consentShowName') : null,
            ].filter(Boolean)
            // An erased signer is still a row of the count, with nothing left to name them by.
            const label = s.contactErased ? t('admin.supporters.erased') : s.fullName
            return (
              <tr key={s.id}>
                <th scope="row">{s.contactErased ? <span className="hint">{label}</span> : s.fullName}</th>
                <td>{s.contactErased ? '—' : s.email}</td>
                <td>{s.country}</td>
                <td>
                  <span className={`state-badge state-${s.state}`}>{t(`admin.supporters.state.${s.state}`)}</span>
                  {s.invalidationReason ? <span className="hint"> ({t(`admin.supporters.reason.${s.invalidationReason}`)})</span> : null}
                </td>
                <td>{consents.length > 0 ? consents.join(', ') : t('admin.supporters.consentNone')}</td>
                <td>
                  <time dateTime={s.createdAt}>{date(s.createdAt)}</time>
                </td>
                <td>{s.confirmedAt ? <time dateTime={s.confirmedAt}>{date(s.confirmedAt)}</time> : '—'}</td>
                <td className="row-actions">
                  {s.state !== 'invalidated' ? (
                    <Link to={listSearch(values, { invalidate: s.id })} aria-label={t('admin.supporters.invalidateLinkLabel', { name: label })}>
                      {t('admin.supporters.invalidateLink')}
                    </Link>
                  ) : null}
                  <Link to={listSearch(values, { remove: s.id })} aria-label={t('admin.supporters.removeLinkLabel', { name: label })}>
                    {t('admin.supporters.removeLink')}
                  </Link>
                  {canErase && !s.contactErased ? (
                    <>
                      {/* A real form post (reloadDocument), so the browser saves the JSON file, with or without JavaScript. */}
                      <IntentForm
                        action={`/admin/campaigns/${campaign.id}/supporters/export`}
                        reloadDocument
                        className="inline-form"
                        intent="export"
                        fields={{ signatureId: s.id }}
                      >
                        <button type="submit" className="link-button" aria-label={t('admin.supporters.exportLabel', { name: label })}>
                          {t('admin.supporters.exportButton')}
                        </button>
                      </IntentForm>
                      <Link to={listSearch(values, { erase: s.id })} aria-label={t('admin.supporters.eraseLinkLabel', { name: label })}>
                        {t('admin.supporters.eraseLink')}
                      </Link>
                    </>
                  ) : null}
                </td>
              </tr>
            )
          })}
        </DataTable>
      )}

      {newer || older || paged ? (
        <nav aria-label={t('admin.supporters.paging')} className="insights-pager">
          <ul>
            {paged ? (
              <li>
                <Link to={listSearch(values)}>{t('admin.supporters.firstPage')}</Link>
              </li>
            ) : null}
            {newer ? (
              <li>
                <Link to={listSearch(values, { before: newer })} rel="prev">
                  {t('admin.supporters.newer')}
                </Link>
              </li>
            ) : null}
            {older ? (
              <li>
                <Link to={listSearch(values, { after: older })} rel="next">
                  {t('admin.supporters.older')}
                </Link>
              </li>
            ) : null}
          </ul>
        </nav>
      ) : null}
    </div>
  )
}
