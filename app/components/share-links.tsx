import { shareLinks } from '~/utils/share'
import { useT } from '~/utils/use-t'

/** The plain share links: no third-party scripts, nothing loads until the reader clicks. */
export function ShareLinkList({ url, title }: { url: string; title: string }) {
  const t = useT()
  return (
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
  )
}

export function ShareLinks({ url, title, headingId }: { url: string; title: string; headingId: string }) {
  const t = useT()
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t('share.heading')}</h2>
      <ShareLinkList url={url} title={title} />
    </section>
  )
}
