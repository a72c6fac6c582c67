import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { IntegrityBulkAction, IntegritySettingsForm } from '~/components/integrity-forms'
import { FILTER_KEYS, HeldTables, IntegrityActionsTable, RankedTable } from '~/components/integrity-review'
import { IntentForm } from '~/components/intent-form'
import { requireOrganisationCampaign } from '~/http/campaign.server'
import { IntegrityActionKindSchema, IntegrityFilterSchema, IntegritySettingsSchema, PinnedFilterSchema } from '~/models/integrity-schema'
import { getIntegrityOverview, previewIntegrityAction, saveIntegritySettings, startIntegrityAction } from '~/models/integrity-review.server'
import { switchAttackMode } from '~/models/integrity.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { can } from '~/utils/permissions'
import { formatDate, formatNumber } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'

// Every member reviews ('integrity.view'); owners and campaigners act ('integrity.act').
// No names or addresses here: email domains, client address fingerprints and counts.

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
  const done = readDone(request, ['attack-on', 'attack-off', 'settings', 'action', 'started'])
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
      done,
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

export default function IntegrityPage() {
  const { campaign, canAct, canSeeSupporters, canEdit, overview, values, filterErrors, preview, done, doneAction } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const n = (value: number) => formatNumber(locale, value)

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
                date: formatDate(locale, overview.attackMode.since, 'medium'),
                origin: t(`admin.integrity.attackOrigin.${overview.attackMode.origin}`),
              })
            : t('admin.integrity.attackOff')}
        </p>
        {canAct ? (
          <IntentForm>
            <button type="submit" name="intent" value={overview.attackMode ? 'attack-off' : 'attack-on'} className="button secondary">
              {overview.attackMode ? t('admin.integrity.attackSwitchOff') : t('admin.integrity.attackSwitchOn')}
            </button>
          </IntentForm>
        ) : null}
      </section>

      <section aria-labelledby="held-heading">
        <h2 id="held-heading">{t('admin.integrity.heldHeading')}</h2>
        <p data-stat="held">{overview.heldTotal > 0 ? t('admin.integrity.heldTotal', { count: overview.heldTotal }) : t('admin.integrity.heldNone')}</p>
        <HeldTables heldByReason={overview.heldByReason} held={overview.held} />
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

      {canAct ? <IntegrityBulkAction values={values} filterErrors={filterErrors} preview={preview} /> : null}

      {overview.actions.length > 0 ? (
        <section aria-labelledby="actions-heading">
          <h2 id="actions-heading">{t('admin.integrity.actionsHeading')}</h2>
          <IntegrityActionsTable actions={overview.actions} />
        </section>
      ) : null}

      {canAct ? <IntegritySettingsForm settings={overview.settings} defaults={overview.defaults} /> : null}
    </main>
  )
}
