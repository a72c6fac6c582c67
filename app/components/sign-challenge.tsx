import { useEffect, useRef } from 'react'
import { useLocale } from '~/utils/use-t'

/**
 * In attack mode (decision 0030) the sign form carries a proof-of-work challenge: the ALTCHA
 * widget, loaded from our own origin only when needed, fetches a fresh challenge (so no cached
 * page carries one), solves it in a worker and adds a hidden `altcha` field to the form.
 * Without JavaScript nothing renders and the signature is held for review instead.
 */
export function SignChallenge({ slug }: { slug: string }) {
  const container = useRef<HTMLDivElement>(null)
  const locale = useLocale()
  useEffect(() => {
    let cancelled = false
    const element = container.current
    void import('~/components/altcha-widget.client').then(({ mountChallenge }) => {
      if (!cancelled && element) mountChallenge(element, `/campaigns/${encodeURIComponent(slug)}/challenge`, locale)
    })
    return () => {
      cancelled = true
      element?.replaceChildren()
    }
  }, [slug, locale])
  return <div ref={container} className="sign-challenge" data-testid="sign-challenge" />
}
