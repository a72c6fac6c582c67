import { Form, Link } from '@remix-run/react'
import { HOLD_REASONS } from '#db/types'
import { IntentForm } from '~/components/intent-form'
import { FILTER_KEYS } from '~/components/integrity-review'
import { INTEGRITY_FILTER_STATES, INTEGRITY_WINDOWS } from '~/models/integrity-schema'
import type { IntegrityOverview, IntegrityPreview } from '~/models/integrity-review.server'
import { formatNumber } from '~/utils/i18n'
import { useLocale, useT } from '~/utils/use-t'

// The Integrity tab's forms (decision 0030). The bulk action is previewed first with a GET (so it
// works without JavaScript), and the confirmation posts the filter the preview pinned.

type BulkProps = {
  values: Record<string, string>
  filterErrors: Record<string, string>
  preview: IntegrityPreview | null
}

/** Choose signatures by filter, preview how many, then release or invalidate exactly those. */
export function IntegrityBulkAction({ values, filterErrors, preview }: BulkProps) {
  const t = useT()
  const locale = useLocale()
  const n = (value: number) => formatNumber(locale, value)
  const fieldError = (key: string) => filterErrors[key]
  return (
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
            <IntentForm
              className="button-row"
              fields={{
                kind: preview.kind,
                previewed: preview.rows,
                upToId: preview.pinned.upToId,
                ...(preview.pinned.since ? { since: preview.pinned.since } : {}),
                ...Object.fromEntries(FILTER_KEYS.flatMap((k) => (preview.pinned[k] !== undefined ? [[k, String(preview.pinned[k])]] : []))),
              }}
            >
              <button type="submit" name="intent" value="run" className={preview.kind === 'invalidate' ? 'button danger' : 'button'}>
                {preview.kind === 'release'
                  ? t('admin.integrity.confirmRelease', { rows: n(preview.rows) })
                  : t('admin.integrity.confirmInvalidate', { rows: n(preview.rows) })}
              </button>
              <Link to=".">{t('admin.integrity.cancel')}</Link>
            </IntentForm>
          ) : null}
        </div>
      ) : null}
    </section>
  )
}

/** The campaign's own hold limits; empty fields follow the platform's defaults. */
export function IntegritySettingsForm({ settings, defaults }: Pick<IntegrityOverview, 'settings' | 'defaults'>) {
  const t = useT()
  const locale = useLocale()
  const n = (value: number) => formatNumber(locale, value)
  return (
    <section aria-labelledby="settings-heading">
      <h2 id="settings-heading">{t('admin.integrity.settingsHeading')}</h2>
      <p className="hint">{t('admin.integrity.settingsIntro')}</p>
      <IntentForm>
        {(['domain', 'address'] as const).map((kind) => {
          const name = `${kind}Limit` as const
          return (
            <div className="field" key={kind}>
              <label htmlFor={`integrity-${kind}-limit`}>{t(`admin.integrity.field.${name}`)}</label>
              <span className="hint" id={`integrity-${kind}-limit-hint`}>
                {t('admin.integrity.defaultHint', { value: n(defaults[name]) })}
              </span>
              <input
                id={`integrity-${kind}-limit`}
                name={name}
                type="number"
                min={1}
                max={100000}
                defaultValue={settings[name] ?? ''}
                aria-describedby={`integrity-${kind}-limit-hint`}
              />
            </div>
          )
        })}
        <div className="field">
          <label htmlFor="integrity-disposable">{t('admin.integrity.field.disposable')}</label>
          <select
            id="integrity-disposable"
            name="holdDisposable"
            defaultValue={settings.holdDisposable === null ? 'default' : settings.holdDisposable ? 'on' : 'off'}
          >
            <option value="default">
              {t('admin.integrity.disposable.default', {
                value: defaults.holdDisposable ? t('admin.integrity.disposable.on') : t('admin.integrity.disposable.off'),
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
      </IntentForm>
    </section>
  )
}
