// The ALTCHA widget, bundled and served from our own origin (no third party). The "external"
// build injects no <style> element (CSP: style-src 'self'); its stylesheet is a file, and the
// solver runs in a worker file of ours rather than a blob: URL.
import 'altcha/external'
import 'altcha/i18n/ru'
import 'altcha/altcha.css'
import shaWorkerUrl from 'altcha/workers/sha?worker&url'

for (const algorithm of ['SHA-256', 'SHA-384', 'SHA-512']) {
  globalThis.$altcha.algorithms.set(algorithm, () => new Worker(shaWorkerUrl))
}

export function mountChallenge(container: HTMLElement, challengeUrl: string, language: string) {
  const widget = document.createElement('altcha-widget')
  widget.setAttribute('challenge', challengeUrl)
  widget.setAttribute('name', 'altcha')
  widget.setAttribute('auto', 'onload')
  widget.setAttribute('language', language)
  container.replaceChildren(widget)
}
