import { getFormProps, getInputProps, getSelectProps, getTextareaProps } from '@conform-to/react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { DELIVERY_METHODS } from '#db/types'
import { AdminCampaignNav } from '~/components/admin-campaign-nav'
import { ErrorSummary } from '~/components/error-summary'
import { CheckField, FormField } from '~/components/form-field'
import { DataTable } from '~/components/data-table'
import { DoneMessage } from '~/components/done-message'
import { fieldErrorsOf, IntentForm, useIntentForm } from '~/components/intent-form'
import { requireOrganisationCampaign } from '~/http/campaign.server'
import { buildDeliveryPack, formatCode, listCampaignPacks } from '~/models/delivery-pack.server'
import { BuildPackSchema, RecordDeliverySchema } from '~/models/delivery-schema'
import { campaignLocales, listCampaignDeliveries, recordDelivery } from '~/models/delivery.server'
import { requireAdmin, requireAdminAction } from '~/http/auth.server'
import { readDone } from '~/http/done.server'
import { can } from '~/utils/permissions'
import { formatDate, formatNumber, LOCALE_NAMES, messageKey } from '~/utils/i18n'
import { makeTranslator } from '~/utils/i18n.server'
import { getLocale } from '~/utils/locale.server'
import { useLocale, useT } from '~/utils/use-t'
import { parseSubmission } from '~/utils/form.server'

// The pack names signers: owners and campaigners only ('supporters.view'); viewers get a 403 (decision 0013).

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireAdmin(request, 'supporters.view')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const t = makeTranslator(await getLocale(request))
  const [packs, deliveries, locales] = await Promise.all([listCampaignPacks(campaign.id), listCampaignDeliveries(campaign.id), campaignLocales(campaign.id)])
  return data({
    campaign: { id: campaign.id, title: campaign.title, signatureCount: campaign.signature_count },
    canEdit: can(admin.role, 'campaigns.edit'),
    locales,
    packs: packs.map((p) => ({
      id: p.id,
      cutOff: p.cutOff.toISOString(),
      locale: p.locale,
      confirmedTotal: p.confirmedTotal,
      namedCount: p.namedCount,
      code: formatCode(p.verificationCode),
      createdBy: p.createdByName,
    })),
    deliveries: deliveries.map((d) => ({ ...d, packCode: d.packCode ? formatCode(d.packCode) : null, createdAt: d.createdAt.toISOString() })),
    today: new Date().toISOString().slice(0, 10),
    done: readDone(request, ['built', 'recorded']),
    pageTitle: t('delivery.title', { title: campaign.title }),
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { admin, form } = await requireAdminAction(request, 'supporters.view')
  const campaign = await requireOrganisationCampaign(admin, params.campaignId)
  const intent = form.get('intent')
  if (intent === 'build') {
    const submission = parseSubmission(form, BuildPackSchema)
    if (submission.status !== 'success') return data({ form: 'build' as const, result: submission.reply() }, { status: 400 })
    const pack = await buildDeliveryPack(admin, campaign.id, submission.value.locale)
    return redirect(`/admin/campaigns/${campaign.id}/deliver?done=built#pack-${pack.id}`)
  }
  if (intent === 'record') {
    const submission = parseSubmission(form, RecordDeliverySchema)
    if (submission.status !== 'success') return data({ form: 'record' as const, result: submission.reply() }, { status: 400 })
    const { intent: _intent, ...input } = submission.value
    const result = await recordDelivery(admin, campaign.id, input)
    if (result.status === 'pack-not-found') {
      return data({ form: 'record' as const, result: submission.reply({ fieldErrors: { packId: ['delivery.error.pack'] } }) }, { status: 400 })
    }
    return redirect(`/admin/campaigns/${campaign.id}/deliver?done=recorded#deliveries`)
  }
  return data({ form: null, error: messageKey('delivery.error.badRequest') }, { status: 400 })
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.pageTitle ?? ''} · Chorus` }, { name: 'robots', content: 'noindex' }]

export default function Deliver() {
  const { campaign, canEdit, locales, packs, deliveries, today, done } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const t = useT()
  const locale = useLocale()
  const buildResult = actionData && 'result' in actionData && actionData.form === 'build' ? actionData.result : undefined
  const recordResult = actionData && 'result' in actionData && actionData.form === 'record' ? actionData.result : undefined
  const generalError = actionData && 'error' in actionData ? actionData.error : null

  const {
    form: buildForm,
    fields: buildFields,
    busy,
  } = useIntentForm(BuildPackSchema, {
    id: 'build-pack',
    lastResult: buildResult,
    defaultValue: { locale: locales[0] ?? locale },
  })
  const {
    form: recordForm,
    fields,
    tr,
  } = useIntentForm(RecordDeliverySchema, {
    // A new pack becomes the default choice: the form starts afresh when one is built.
    id: `record-delivery-${packs[0]?.id ?? 'none'}`,
    lastResult: recordResult,
    defaultValue: { deliveredOn: today, packId: packs[0]?.id ?? '' },
  })
  const error = (field: { errors?: string[] }) => tr(field.errors?.[0])
  const recordErrors = fieldErrorsOf([fields.deliveredOn, fields.recipient, fields.method, fields.notes, fields.packId], tr)
  const day = (iso: string) => formatDate(locale, `${iso}T00:00:00Z`, 'long')

  return (
    <div className="wrap">
      <p className="eyebrow">
        <Link to="/admin">{t('admin.nav.campaigns')}</Link>
      </p>
      <h1>{campaign.title}</h1>
      <AdminCampaignNav campaignId={campaign.id} current="deliver" canEdit={canEdit} canSeeSupporters />
      <h2>{t('delivery.heading')}</h2>
      <p className="hint">{t('delivery.intro')}</p>
      <DoneMessage tone="notice">{done ? t(`delivery.done.${done}`) : null}</DoneMessage>
      {generalError ? (
        <div role="alert" className="error-summary">
          <p>{t.message(generalError)}</p>
        </div>
      ) : null}

      <section className="panel" aria-labelledby="build-heading">
        <h3 id="build-heading">{t('delivery.build.heading')}</h3>
        <p>{t('delivery.build.intro', { count: campaign.signatureCount })}</p>
        <IntentForm {...getFormProps(buildForm)}>
          <FormField id={buildFields.locale.id} label={t('delivery.build.locale')} hint={t('delivery.build.localeHint')} error={error(buildFields.locale)}>
            <select {...getSelectProps(buildFields.locale)} key={buildFields.locale.key}>
              {locales.map((code) => (
                <option key={code} value={code} lang={code}>
                  {LOCALE_NAMES[code]}
                </option>
              ))}
            </select>
          </FormField>
          <button type="submit" name="intent" value="build" className="button" disabled={busy}>
            {t('delivery.build.submit')}
          </button>
        </IntentForm>
      </section>

      <section>
        <h3 id="packs-heading">{t('delivery.packs.heading')}</h3>
        {packs.length === 0 ? (
          <p>{t('delivery.packs.empty')}</p>
        ) : (
          <DataTable
            scroll={{ labelledBy: 'packs-heading', className: 'packs-table' }}
            columns={[
              t('delivery.packs.cutOff'),
              t('delivery.packs.total'),
              t('delivery.packs.named'),
              t('delivery.packs.code'),
              t('delivery.packs.language'),
              t('delivery.packs.downloads'),
            ]}
          >
            {packs.map((p) => (
              <tr key={p.id} id={`pack-${p.id}`}>
                <th scope="row">
                  <time dateTime={p.cutOff}>{formatDate(locale, p.cutOff, 'medium')}</time> <span className="hint">{p.cutOff.slice(11, 16)} UTC</span>
                </th>
                <td>{formatNumber(locale, p.confirmedTotal)}</td>
                <td>{formatNumber(locale, p.namedCount)}</td>
                <td>
                  <code>{p.code}</code>
                </td>
                <td>{LOCALE_NAMES[p.locale]}</td>
                <td className="row-actions">
                  <a href={`/admin/campaigns/${campaign.id}/deliver/${p.id}/pdf`} download aria-label={t('delivery.packs.pdfLabel', { code: p.code })}>
                    {t('delivery.packs.pdf')}
                  </a>
                  <a href={`/admin/campaigns/${campaign.id}/deliver/${p.id}/csv`} download aria-label={t('delivery.packs.csvLabel', { code: p.code })}>
                    {t('delivery.packs.csv')}
                  </a>
                  <a href={`/verify?code=${p.code}`}>{t('delivery.packs.verify')}</a>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>

      <section className="panel" aria-labelledby="record-heading">
        <h3 id="record-heading">{t('delivery.record.heading')}</h3>
        <p>{t('delivery.record.intro')}</p>
        <IntentForm {...getFormProps(recordForm)}>
          <ErrorSummary heading={t('delivery.record.errorSummary')} headingLevel={3} fieldErrors={recordErrors} />
          <FormField id={fields.deliveredOn.id} label={t('delivery.record.date')} error={error(fields.deliveredOn)}>
            <input {...getInputProps(fields.deliveredOn, { type: 'date' })} key={fields.deliveredOn.key} max={today} />
          </FormField>
          <FormField id={fields.recipient.id} label={t('delivery.record.recipient')} hint={t('delivery.record.recipientHint')} error={error(fields.recipient)}>
            <input {...getInputProps(fields.recipient, { type: 'text' })} key={fields.recipient.key} maxLength={300} />
          </FormField>
          <FormField id={fields.method.id} label={t('delivery.record.method')} error={error(fields.method)}>
            <select {...getSelectProps(fields.method)} key={fields.method.key}>
              <option value="">{t('delivery.record.methodChoose')}</option>
              {DELIVERY_METHODS.map((m) => (
                <option key={m} value={m}>
                  {t(`delivery.method.${m}`)}
                </option>
              ))}
            </select>
          </FormField>
          <FormField
            id={fields.packId.id}
            label={t('delivery.record.pack')}
            hint={t('delivery.record.packHint', { count: campaign.signatureCount })}
            error={error(fields.packId)}
          >
            <select {...getSelectProps(fields.packId)} key={fields.packId.key}>
              <option value="">{t('delivery.record.noPack')}</option>
              {packs.map((p) => (
                <option key={p.id} value={p.id}>
                  {t('delivery.record.packOption', { date: formatDate(locale, p.cutOff, 'medium'), count: p.confirmedTotal, code: p.code })}
                </option>
              ))}
            </select>
          </FormField>
          <FormField id={fields.notes.id} label={t('delivery.record.notes')} hint={t('delivery.record.notesHint')} error={error(fields.notes)}>
            <textarea {...getTextareaProps(fields.notes)} key={fields.notes.key} rows={3} maxLength={2000} />
          </FormField>
          <CheckField field={fields.notify} label={t('delivery.record.notify')} hint={t('delivery.record.notifyHint')} />
          <button type="submit" name="intent" value="record" className="button" disabled={busy}>
            {t('delivery.record.submit')}
          </button>
        </IntentForm>
      </section>

      <section aria-labelledby="deliveries" id="deliveries-section">
        <h3 id="deliveries">{t('delivery.list.heading')}</h3>
        {deliveries.length === 0 ? (
          <p>{t('delivery.list.empty')}</p>
        ) : (
          <ul className="delivery-list">
            {deliveries.map((d) => (
              <li key={d.id}>
                <p>
                  <strong>{t('delivery.list.item', { date: day(d.deliveredOn), recipient: d.recipient })}</strong>
                </p>
                <p>
                  {t(`delivery.method.${d.method}`)} · {t('delivery.list.count', { count: d.signatureCount })}
                  {d.packCode ? (
                    <>
                      {' · '}
                      {t('delivery.list.pack')} <code>{d.packCode}</code>
                    </>
                  ) : null}
                  {d.updateId ? ` · ${t('delivery.list.notified')}` : null}
                </p>
                {d.notes ? <p className="hint">{d.notes}</p> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  )
}
