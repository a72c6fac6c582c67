import { Marked } from 'marked'
import sanitizeHtml from 'sanitize-html'

const marked = new Marked({ gfm: true, breaks: false, async: false })

// Stories change rarely and are read on every page view: keep recent renders.
const rendered = new Map<string, string>()
const CACHE_SIZE = 500

/** Campaign stories are written by campaigners; the HTML is sanitised before anyone sees it. */
export function renderMarkdown(source: string): string {
  const cached = rendered.get(source)
  if (cached !== undefined) return cached
  const html = renderUncached(source)
  if (rendered.size >= CACHE_SIZE) rendered.delete(rendered.keys().next().value!)
  rendered.set(source, html)
  return html
}

function renderUncached(source: string): string {
  const html = marked.parse(source, { async: false }) as string
  return sanitizeHtml(html, {
    allowedTags: [
      'h2', 'h3', 'h4', 'p', 'br', 'hr', 'strong', 'em', 'b', 'i', 'blockquote', 'ul', 'ol', 'li', 'a', 'code', 'pre',
    ],
    allowedAttributes: { a: ['href', 'title', 'rel'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    transformTags: {
      a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
      h1: 'h2',
    },
  })
}
