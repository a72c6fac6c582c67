import { useRevalidator } from '@remix-run/react'
import { useEffect } from 'react'
import { IntentForm } from '~/components/intent-form'
import type { UpdateStatus } from '#db/types'
import type { UpdateProgress } from '~/models/campaign-update-workspace.server'
import { useT } from '~/utils/use-t'

type Props = {
  update: { status: UpdateStatus; sentAt: string | null }
  progress: UpdateProgress | null
  editLocale: string
  canEdit: boolean
}

/**
 * How far an update's fan-out has gone (decision 0010). While it sends, the page asks again every
 * two seconds with JavaScript; without it, a link reloads the page.
 */
export function UpdateProgressPanel({ update, progress, editLocale, canEdit }: Props) {
  const t = useT()
  const revalidator = useRevalidator()
  const sending = update.status === 'sending'
  useEffect(() => {
    if (!sending) return
    const timer = setInterval(() => {
      if (revalidator.state === 'idle' && document.visibilityState === 'visible') revalidator.revalidate()
    }, 2000)
    return () => clearInterval(timer)
  }, [sending, revalidator])
  if (!progress) return null
  const total = progress.audience
  const done = progress.sent + progress.failed + progress.skipped
  return (
    <section className="panel" aria-labelledby="progress-heading">
      <h2 id="progress-heading">{t('admin.updates.progressHeading')}</h2>
      <p role="status" aria-live="polite">
        {total === null
          ? t('admin.updates.progress.preparing')
          : sending
            ? t('admin.updates.progress.sending', { done, total })
            : update.status === 'cancelled'
              ? t('admin.updates.progress.cancelled', { sent: progress.sent, total })
              : t('admin.updates.progress.done', { date: update.sentAt ?? '' })}
      </p>
      {progress.delayed ? (
        <div className="notice">
          <p>
            <strong>{t('admin.updates.delayed')}</strong>
          </p>
          <p>
            {progress.delayed.kind === 'provider'
              ? t('admin.delayed.reason.provider', { message: progress.delayed.message })
              : t(`admin.delayed.reason.${progress.delayed.kind}`)}
          </p>
        </div>
      ) : null}
      <progress value={done} max={Math.max(total ?? 0, 1)} aria-label={t('admin.updates.progressLabel')}>
        {done} / {total ?? 0}
      </progress>
      <dl className="stat-grid">
        <div className="stat">
          <dt>{t('admin.updates.progress.audience')}</dt>
          <dd data-testid="progress-audience">{total ?? '…'}</dd>
        </div>
        <div className="stat">
          <dt>{t('admin.updates.progress.sent')}</dt>
          <dd data-testid="progress-sent">{progress.sent}</dd>
        </div>
        <div className="stat">
          <dt>{t('admin.updates.progress.failed')}</dt>
          <dd data-testid="progress-failed">{progress.failed}</dd>
        </div>
        <div className="stat">
          <dt>{t('admin.updates.progress.skipped')}</dt>
          <dd>{progress.skipped}</dd>
        </div>
        <div className="stat">
          <dt>{t('admin.updates.progress.remaining')}</dt>
          <dd data-testid="progress-remaining">{progress.remaining}</dd>
        </div>
      </dl>
      {sending ? (
        <>
          <p>
            <a href={`?locale=${editLocale}`}>{t('admin.updates.refresh')}</a>
          </p>
          {canEdit ? (
            <IntentForm replace>
              <p className="hint">{t('admin.updates.cancelHint')}</p>
              <button type="submit" name="intent" value="cancel" className="button danger">
                {t('admin.updates.cancel')}
              </button>
            </IntentForm>
          ) : null}
        </>
      ) : null}
    </section>
  )
}
