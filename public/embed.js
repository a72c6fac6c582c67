// Chorus embed (decision 0038). On a partner's page:
//   <script src="https://chorus.example/embed.js" data-campaign="campaign-slug" async></script>
// inserts the campaign's count and sign form in an iframe right after this script, and keeps the
// iframe as tall as its content. Needs nothing from the page but permission to load this script
// and frame this origin (script-src and frame-src): no inline code, no inline styles.
;(function () {
  const script = document.currentScript
  if (!(script instanceof HTMLScriptElement) || !script.dataset.campaign) return
  const origin = new URL(script.src).origin
  const slug = script.dataset.campaign
  // The page's language when we have it (data-lang, else the page's own lang), else the reader's.
  const lang = (script.dataset.lang || document.documentElement.lang || '').slice(0, 2).toLowerCase()
  const params = new URLSearchParams({ partner: location.host })
  if (lang === 'en' || lang === 'ru') params.set('lang', lang)

  const frame = document.createElement('iframe')
  frame.src = `${origin}/campaigns/${encodeURIComponent(slug)}/embed?${params}`
  frame.title = script.dataset.title || (lang === 'ru' ? 'Подписать петицию' : 'Sign the petition')
  frame.loading = 'lazy'
  frame.setAttribute('scrolling', 'no')
  // Styles set through the DOM, not a style attribute: a strict style-src does not object.
  frame.style.width = '100%'
  frame.style.maxWidth = '40rem'
  frame.style.height = '40rem'
  frame.style.border = '0'
  frame.style.display = 'block'
  script.after(frame)

  window.addEventListener('message', (event) => {
    // Only our own frame, from our own origin, may change its height.
    if (event.origin !== origin || event.source !== frame.contentWindow) return
    const data = event.data
    if (!data || data.type !== 'chorus:embed-height' || typeof data.height !== 'number') return
    const height = Math.min(Math.max(Math.ceil(data.height), 100), 5000)
    frame.style.height = `${height}px`
  })
})()
