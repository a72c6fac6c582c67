import { shareLinks } from '~/utils/share'
import { useT } from '~/utils/use-t'

export function ShareLinks({ url, title, headingId }: { url: string; title: string; headingId: string }) {
  const t = useT()
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t('share.heading')}</h2>
      <ul className="share-links">
        {shareLinks(url, title, t).map((link) => (
          <li key={link.network}>
            <a href={link.href} rel="noopener noreferrer" target="_blank">
              {link.label}
              <span className="visually-hidden"> {t('share.newWindow')}</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  )
}
