import { Link } from '@remix-run/react'
import { formatMoney } from '~/utils/money'
import { useLocale, useT } from '~/utils/use-t'

export interface DonationSummaryProps {
  slug: string
  /** Whether this site takes donations (Stripe configured). */
  enabled: boolean
  /** Shown only when the campaign chose to show its totals. */
  totals: { currency: string; totalMinor: number; donorCount: number } | null
  headingId?: string
  /** In the workspace's preview the way to give is shown, not followed (like the sign form). */
  preview?: boolean
}

/** The campaign's donation total (when shown) and the way to give. Renders nothing when neither applies. */
export function DonationSummary({ slug, enabled, totals, headingId = 'donations-heading', preview = false }: DonationSummaryProps) {
  const t = useT()
  const locale = useLocale()
  // No donations configured: no figures and no button.
  if (!enabled) return null
  return (
    <section className="donation-summary" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('donations.heading')}</h2>
      {totals ? (
        <p className="donation-total" id={`${headingId}-total`}>
          <strong>{t('donations.raised', { amount: formatMoney(locale, totals.totalMinor, totals.currency) })}</strong>{' '}
          <span className="hint">{t('donations.donors', { count: totals.donorCount })}</span>
        </p>
      ) : null}
      {enabled ? (
        <p>
          {preview ? (
            <button type="button" className="button secondary" disabled>
              {t('donations.cta')}
            </button>
          ) : (
            <Link className="button secondary" to={`/campaigns/${slug}/donate`}>
              {t('donations.cta')}
            </Link>
          )}
        </p>
      ) : null}
    </section>
  )
}

/** The thank-you page's ask: supporters who have just signed are the most likely to give. */
export function DonationAsk({ slug, headingLevel = 2 }: { slug: string; headingLevel?: 2 | 3 }) {
  const t = useT()
  const Heading = headingLevel === 3 ? 'h3' : 'h2'
  return (
    <section className="notice donation-ask" aria-labelledby="donation-ask-heading">
      <Heading id="donation-ask-heading">{t('donate.title')}</Heading>
      <p>{t('donations.ask')}</p>
      <p>
        <Link className="button" to={`/campaigns/${slug}/donate`}>
          {t('donations.askLink')}
        </Link>
      </p>
    </section>
  )
}
