import MarkdownIt from 'markdown-it'
import sanitizeHtml from 'sanitize-html'

// markdown-it, not marked: marked scans the rest of a paragraph once for each possible start of
// a construct, so hostile text costs time in the square (or cube) of its length: 64 KB of
// `a.a.a…@a` took ~11 s (its GFM e-mail autolink), 4 KB of `[a](` ~4 s, and 4,000 `>` overflowed
// the stack. markdown-it works in time linear in its input and limits nesting to 100 levels.
// Raw HTML is let through to sanitize-html below, as before; bare URLs and addresses still link.
const markdown = new MarkdownIt({ html: true, linkify: true, breaks: false, typographer: false })

/** Markdown past this length is not read at all (stories and updates are capped far below it). */
export const MARKDOWN_MAX_CHARS = 50_000

// Stories and timeline updates change rarely and are read on every page view: keep recent renders.
const CACHE_SIZE = 500

function remembered(render: (source: string) => string): (source: string) => string {
  const cache = new Map<string, string>()
  return (source) => {
    const cached = cache.get(source)
    if (cached !== undefined) return cached
    const result = render(source)
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!)
    cache.set(source, result)
    return result
  }
}

/** Campaign stories are written by campaigners; the HTML is sanitised before anyone sees it. */
export const renderMarkdown = remembered(renderUncached)

function renderUncached(source: string): string {
  const html = markdown.render(source.slice(0, MARKDOWN_MAX_CHARS))
  return sanitizeHtml(html, {
    allowedTags: ['h2', 'h3', 'h4', 'p', 'br', 'hr', 'strong', 'em', 'b', 'i', 'blockquote', 'ul', 'ol', 'li', 'a', 'code', 'pre'],
    allowedAttributes: { a: ['href', 'title', 'rel'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    transformTags: {
      a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
      h1: 'h2',
    },
  })
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' }

/** An update's markdown as plain text (for the JSON and for readers without HTML): no tags, no markup. */
export const markdownToText = remembered((source: string): string => {
  const html = renderMarkdown(source).replace(/<\/(p|h[1-6]|li|blockquote|pre)>|<br\s*\/?>|<hr\s*\/?>/g, '$&\n')
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (entity) => ENTITIES[entity] ?? entity)
    .split('\n')
    .map(withoutTrailingBlanks)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
})

/**
 * A line without its trailing spaces and tabs, found by walking back from the end: linear, where
 * `/[ \t]+\n/g` retried from every blank of a long run (quadratic: 64 KB took ~19 s).
 */
function withoutTrailingBlanks(line: string): string {
  let end = line.length
  while (end > 0 && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--
  return end === line.length ? line : line.slice(0, end)
}
