import type { SerializeFrom } from '@remix-run/node'
import type { TimelineItem } from '~/models/timeline.server'
import { formatDate } from '~/utils/i18n'
import { useLocale, useT } from '~/utils/use-t'

type Item = SerializeFrom<TimelineItem>

// The public timeline of a campaign and its latest authority response (decision 0012).

/** The authority's latest response, shown near the top of the campaign page. */
export function LatestResponse({ response, targetName }: { response: Item; targetName: string }) {
  const t = useT()
  const locale = useLocale()
  return (
    <section className="latest-response" aria-labelledby="latest-response-heading">
      <h2 id="latest-response-heading">{t('timeline.latestResponse')}</h2>
      <p className="timeline-meta">
        <time dateTime={response.date}>{formatDate(locale, response.date)}</time>
      </p>
      <p>{t('timeline.respondedBy', { target: targetName })}</p>
      <blockquote className="response-body" lang={response.locale}>
        {response.text}
      </blockquote>
      {response.url ? (
        <p>
          <a href={response.url} rel="nofollow noopener noreferrer">
            {t('timeline.responseSource')}
          </a>
        </p>
      ) : null}
    </section>
  )
}

/** Updates, milestones, deliveries and responses, newest first, as an ordered list. */
export function CampaignTimeline({ items }: { items: Item[] }) {
  const t = useT()
  const locale = useLocale()
  if (items.length === 0) return null
  return (
    <section className="timeline-section" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">{t('timeline.heading')}</h2>
      <p className="hint">{t('timeline.intro')}</p>
      <ol className="timeline">
        {items.map((item, i) => {
          // An update's subject is the campaign's words; other titles are ours, in the reader's language.
          const titleLang = item.type === 'update' ? item.locale : locale
          const textLang = item.type === 'delivery' ? locale : item.locale
          return (
            <li key={`${item.type}-${item.date}-${i}`} className={`timeline-item timeline-${item.type}`}>
              <p className="timeline-meta">
                <span className="timeline-type">{t(`timeline.type.${item.type}`)}</span>
                {' · '}
                <time dateTime={item.date}>{formatDate(locale, item.date)}</time>
              </p>
              <h3 lang={titleLang}>{item.title}</h3>
              {item.html ? (
                <div className="story" lang={textLang} dangerouslySetInnerHTML={{ __html: item.html }} />
              ) : item.text !== item.title ? (
                item.type === 'response' ? (
                  <blockquote className="response-body" lang={textLang}>
                    {item.text}
                  </blockquote>
                ) : (
                  <p className="timeline-text" lang={textLang}>
                    {item.text}
                  </p>
                )
              ) : null}
              {item.url ? (
                <p>
                  <a href={item.url} rel="nofollow noopener noreferrer">
                    {t('timeline.responseSource')}
                  </a>
                </p>
              ) : null}
            </li>
          )
        })}
      </ol>
    </section>
  )
}
