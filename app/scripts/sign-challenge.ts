// The ALTCHA widget, bundled and served from our own origin (no third party). The "external"
// build injects no <style> element (CSP: style-src 'self'); its stylesheet is a file, and the
// solver runs in a worker file of ours rather than a blob: URL. Loaded by campaign-page.ts only
// when a campaign in attack mode is being signed.
import 'altcha/external'
import 'altcha/i18n/ru'
import 'altcha/altcha.css'
import shaWorkerUrl from 'altcha/workers/sha?worker&url'

for (const algorithm of ['SHA-256', 'SHA-384', 'SHA-512']) {
  globalThis.$altcha.algorithms.set(algorithm, () => new Worker(shaWorkerUrl))
}

/**
 * Puts the widget in `container`; it fetches a challenge from `challengeUrl` and solves it at
 * once. Answers when it is done: solved, or failed (the signature is then held for review).
 */
export function mountChallenge(container: HTMLElement, challengeUrl: string, language: string): Promise<void> {
  const widget = document.createElement('altcha-widget')
  widget.setAttribute('challenge', challengeUrl)
  widget.setAttribute('name', 'altcha')
  widget.setAttribute('auto', 'onload')
  widget.setAttribute('language', language)
  const settled = new Promise<void>((resolve) => {
    widget.addEventListener('statechange', (event) => {
      const state = (event as CustomEvent<{ state?: string }>).detail?.state
      if (state === 'verified' || state === 'error') resolve()
    })
  })
  container.replaceChildren(widget)
  return settled
}
