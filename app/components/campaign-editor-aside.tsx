import { Link } from '@remix-run/react'
import { IntentForm } from '~/components/intent-form'
import { LOCALE_NAMES, type Locale } from '~/utils/i18n'
import { useT } from '~/utils/use-t'

export interface CampaignEditorAsideProps {
  campaign: { status: string; publicUrl: string }
  editLocale: Locale
  /** What the base locale still lacks before publishing, translated. */
  missing: string[]
  translations: { locale: Locale; missing: string[] }[]
  /** What a refused publish named as missing. */
  publishMissing?: string[]
  statusError?: string
}

/** Beside the editor: publishing or closing the campaign, and how complete each translation is. */
export function CampaignEditorAside({ campaign, editLocale, missing, translations, publishMissing, statusError }: CampaignEditorAsideProps) {
  const t = useT()
  return (
    <aside>
      <section className="panel" aria-labelledby="publish-heading">
        <h2 id="publish-heading">{t('admin.edit.publishHeading')}</h2>
        {publishMissing?.length ? (
          <div className="error-summary" role="alert" tabIndex={-1}>
            <h3>{t('admin.edit.missingHeading')}</h3>
            <ul>
              {publishMissing.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {statusError ? (
          <p className="field-error" role="alert">
            {statusError}
          </p>
        ) : null}
        {campaign.status === 'live' ? (
          <>
            <p>
              <a href={campaign.publicUrl}>{t('admin.edit.publicLink')}</a>
            </p>
            <p className="hint">{t('admin.edit.closeHint')}</p>
            <IntentForm>
              <button type="submit" name="intent" value="close" className="button danger">
                {t('admin.edit.close')}
              </button>
            </IntentForm>
          </>
        ) : (
          <>
            {missing.length && !publishMissing ? (
              <>
                <p>{t('admin.edit.missingHeading')}</p>
                <ul>
                  {missing.map((m) => (
                    <li key={m}>{m}</li>
                  ))}
                </ul>
              </>
            ) : null}
            <p className="hint">{t('admin.edit.publishHint', { url: campaign.publicUrl })}</p>
            <IntentForm>
              <button type="submit" name="intent" value="publish" className="button">
                {campaign.status === 'closed' ? t('admin.edit.republish') : t('admin.edit.publish')}
              </button>
            </IntentForm>
          </>
        )}
      </section>
      <section className="panel" aria-labelledby="translations-heading">
        <h2 id="translations-heading">{t('admin.edit.translationsHeading')}</h2>
        {translations.map((tr) => (
          <div key={tr.locale}>
            {tr.missing.length ? (
              <>
                <p>{t('admin.edit.translationMissing', { language: LOCALE_NAMES[tr.locale] })}</p>
                <ul>
                  {tr.missing.map((m) => (
                    <li key={m}>{m}</li>
                  ))}
                </ul>
                <p className="hint">{t('admin.edit.translationHidden', { language: LOCALE_NAMES[tr.locale] })}</p>
              </>
            ) : (
              <p>{t('admin.edit.translationComplete', { language: LOCALE_NAMES[tr.locale] })}</p>
            )}
            {tr.locale !== editLocale ? (
              <p>
                <Link to={`?locale=${tr.locale}`}>{t('admin.edit.translationLink', { language: LOCALE_NAMES[tr.locale] })}</Link>
              </p>
            ) : null}
          </div>
        ))}
      </section>
    </aside>
  )
}
