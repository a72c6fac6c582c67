// The campaign page and its embeddable form are plain HTML forms that work without JavaScript;
// they load no React (decision 0037). This small script is all the JavaScript they get:
//  - the count, the milestone progress and the recent signers are refreshed together, from the
//    page itself (the page cache answers, decision 0021, so nothing per visitor is involved);
//  - a sign button is not pressed twice;
//  - inside a partner's iframe, the frame's height is sent to the page that holds it.
// Served as it is written (no build step), so it is written for today's browsers directly.

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

for (const form of document.querySelectorAll('form[data-sign-form]')) {
  let sent = false
  form.addEventListener('submit', (event) => {
    if (sent) event.preventDefault()
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
if (window.parent !== window && embedded) {
  // The embed's own box, not the document's: the page is at least as tall as the frame, so it
  // could grow the frame but never shrink it.
  const content = document.querySelector('[data-embed]')
  const sendHeight = () => {
    const height = Math.ceil(content.getBoundingClientRect().bottom + window.scrollY)
    window.parent.postMessage({ type: 'chorus:embed-height', height }, '*')
  }
  new ResizeObserver(sendHeight).observe(content)
  sendHeight()
}
