// The embeddable sign form (decision 0038): who embeds it, and the snippet a campaigner copies.

const HOST = /^[a-z0-9.-]{1,253}(?::\d{1,5})?$/

/** A host as recorded in a signature's source: lower-case, checked by length before pattern. */
export function cleanPartnerHost(value: string | null | undefined): string | null {
  if (!value || value.length > 260) return null
  const host = value.trim().toLowerCase()
  return HOST.test(host) ? host : null
}

/**
 * The site holding the iframe: the Referer of the frame's first load (the browser's word, when
 * it sends one and it is not our own page), else what embed.js said (`?partner=`). Attribution,
 * not a security boundary: a partner page can say what it likes.
 */
export function partnerHostOf(request: Request, appUrl: string): string {
  const referer = request.headers.get('Referer')
  if (referer && referer.length < 2000) {
    try {
      const url = new URL(referer)
      if (url.origin !== new URL(appUrl).origin) {
        const host = cleanPartnerHost(url.host)
        if (host) return host
      }
    } catch {
      // Not a URL: fall through to what the script said.
    }
  }
  return cleanPartnerHost(new URL(request.url).searchParams.get('partner')) ?? 'unknown'
}

/** The source recorded for a signature made in the embed. */
export function embedSource(host: string | null): string {
  return `embed:${cleanPartnerHost(host) ?? 'unknown'}`
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')

/** The line a campaigner pastes into a partner page. */
export function embedSnippet(appUrl: string, slug: string): string {
  return `<script src="${escapeAttribute(appUrl)}/embed.js" data-campaign="${escapeAttribute(slug)}" async></script>`
}
