// The campaign page and its embeddable form are plain HTML forms that work without JavaScript;
// they load no React (decision 0037). This small module is all the JavaScript they get:
//  - the count, the milestone progress and the recent signers are refreshed together, from the
//    page itself (the page cache answers, decision 0021, so nothing per visitor is involved);
//  - a sign button is not pressed twice, and a field's error goes as soon as it is edited;
//  - in attack mode, the proof-of-work widget is loaded when the supporter starts on the form;
//  - inside a partner's iframe, the frame's height is sent to the page that holds it.
// Built by Vite into a content-hashed file (vite-page-scripts.ts), served as immutable.

const embedded = document.querySelector('[data-embed]') !== null
const REFRESH_MS = embedded ? 60_000 : 30_000
let lastRefresh = Date.now()

async function refresh() {
  lastRefresh = Date.now()
  // Only the page's own path: a query string would pass the page cache by.
  const url = embedded ? location.pathname + location.search : location.pathname
  try {
    const response = await fetch(url, { headers: { Accept: 'text/html' }, credentials: 'same-origin' })
    if (!response.ok) return
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html')
    if (fresh.documentElement.lang !== document.documentElement.lang) return
    for (const current of document.querySelectorAll('[data-live]')) {
      const replacement = fresh.querySelector(`[data-live="${current.getAttribute('data-live')}"]`)
      if (replacement && replacement.innerHTML !== current.innerHTML) current.replaceChildren(...replacement.childNodes)
    }
  } catch {
    // Offline for a moment: the next round tries again.
  }
}

setInterval(() => {
  if (document.visibilityState === 'visible') void refresh()
}, REFRESH_MS)
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && Date.now() - lastRefresh > REFRESH_MS) void refresh()
})

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-sign-form]')) {
  // Attack mode (decision 0030): the widget (about 30 KB gzipped) loads only once someone starts
  // on the form, so a visitor who only reads never downloads it; it then fetches a fresh challenge
  // and solves it in a worker while the fields are filled in. A form sent before it is done
  // waits for it (a failure lets the form go: the signature is then held for review).
  const challenge = form.querySelector<HTMLElement>('[data-challenge]')
  let solving: Promise<void> | null = null
  const startChallenge = () => {
    if (!challenge || solving) return solving
    solving = import('./sign-challenge').then(({ mountChallenge }) => mountChallenge(challenge, challenge.dataset.challenge!, document.documentElement.lang))
    return solving
  }
  if (challenge) {
    form.addEventListener('focusin', startChallenge, { once: true })
    form.addEventListener('pointerdown', startChallenge, { once: true })
    // Arriving on the form (the first screen's `Sign the petition` link, or a refused
    // submission) counts as starting on it.
    if (location.hash === '#sign' || form.contains(document.activeElement)) void startChallenge()
  }
  const solved = () => !challenge || (form.querySelector<HTMLInputElement>('input[name="altcha"]')?.value ?? '') !== ''

  let sent = false
  form.addEventListener('submit', (event) => {
    if (sent) {
      event.preventDefault()
      return
    }
    if (!solved()) {
      event.preventDefault()
      sent = true
      // submit() sends without a second submit event (the sign button carries no value).
      void startChallenge()?.then(() => form.submit())
      return
    }
    sent = true
  })
  // A field's error goes as soon as it is edited (the server checks again on sending), so
  // nothing moves under the pointer on its way to the button.
  form.addEventListener('input', (event) => {
    const control = event.target
    if (!(control instanceof HTMLElement) || control.getAttribute('aria-invalid') !== 'true') return
    const error = document.getElementById(`${control.id}-error`)
    error?.remove()
    control.removeAttribute('aria-invalid')
    const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== `${control.id}-error`)
    if (described.length > 0) control.setAttribute('aria-describedby', described.join(' '))
    else control.removeAttribute('aria-describedby')
  })
}

// In a partner's iframe: tell the page holding it how tall the content is (embed.js listens,
// checking that the message comes from this origin). The height is not a secret: any origin.
const content = document.querySelector('[data-embed]')
if (window.parent !== window && content) {
  // The embed's own box, not the document's: the page is at least as tall as the frame, so it
  // could grow the frame but never shrink it.
  const sendHeight = () => {
    const height = Math.ceil(content.getBoundingClientRect().bottom + window.scrollY)
    window.parent.postMessage({ type: 'chorus:embed-height', height }, '*')
  }
  new ResizeObserver(sendHeight).observe(content)
  sendHeight()
}
