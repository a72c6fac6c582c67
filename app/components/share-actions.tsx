import { useEffect, useRef, useState } from 'react'
import { ShareLinkList } from '~/components/share-links'
import { useT } from '~/utils/use-t'

/**
 * Sharing after signing: the link to copy (a `Copy link` button with JavaScript, a
 * field to select without), the phone's own share sheet where the browser has one (Web Share
 * API), and the plain share links for everyone.
 */
export function ShareActions({ url, title, headingId, heading }: { url: string; title: string; headingId: string; heading?: string }) {
  const t = useT()
  const input = useRef<HTMLInputElement>(null)
  const [enhanced, setEnhanced] = useState(false)
  const [canShare, setCanShare] = useState(false)
  const [status, setStatus] = useState('')
  useEffect(() => {
    setEnhanced(true)
    setCanShare(typeof navigator.share === 'function')
  }, [])

  async function copy() {
    try {
      await navigator.clipboard.writeText(url)
    } catch {
      // No clipboard API (an insecure context, an old browser): the selected field's copy command.
      input.current?.select()
      if (!document.execCommand('copy')) {
        setStatus(t('reach.share.copyFailed'))
        return
      }
    }
    setStatus(t('reach.share.copied'))
  }

  async function share() {
    try {
      await navigator.share({ title, url })
    } catch {
      // Dismissed, or refused: the other ways stay on the page.
    }
  }

  const inputId = `${headingId}-link`
  return (
    <section aria-labelledby={headingId} className="share-actions">
      <h2 id={headingId}>{heading ?? t('share.heading')}</h2>
      <div className="field">
        <label htmlFor={inputId}>{t('reach.share.linkLabel')}</label>
        <input ref={input} id={inputId} type="url" readOnly value={url} onFocus={(event) => event.currentTarget.select()} />
      </div>
      {enhanced ? (
        <p className="button-row">
          <button type="button" className="button" onClick={() => void copy()}>
            {t('reach.share.copy')}
          </button>
          {canShare ? (
            <button type="button" className="button secondary" onClick={() => void share()}>
              {t('reach.share.shareSheet')}
            </button>
          ) : null}
        </p>
      ) : null}
      <p role="status" className="share-status">
        {status}
      </p>
      <ShareLinkList url={url} title={title} />
    </section>
  )
}
