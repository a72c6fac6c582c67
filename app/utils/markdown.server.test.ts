import { describe, expect, it } from 'vitest'
import { renderMarkdown } from './markdown.server'

describe('renderMarkdown', () => {
  it('keeps the formatting a story needs', () => {
    const html = renderMarkdown('## Why\n\nThey **must** act.\n\n- one\n- two\n\n[Report](https://example.org/report)')
    expect(html).toContain('<h2>Why</h2>')
    expect(html).toContain('<strong>must</strong>')
    expect(html).toContain('<li>one</li>')
    expect(html).toContain('<a href="https://example.org/report" rel="nofollow noopener noreferrer">Report</a>')
  })

  it('removes scripts, event handlers, iframes, images and dangerous links', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script><img src=x onerror=alert(1)><iframe src="https://evil.example"></iframe>' +
        '\n\n[click](javascript:alert(1)) <a href="data:text/html,x" onclick="x()">data</a> <b style="color:red">bold</b>',
    )
    // (markdown-it leaves a javascript: link as the text typed; no element or attribute carries it.)
    expect(html).not.toMatch(/<script|<iframe|<img|\son\w+=|href="(javascript|data):|style=/i)
    expect(html).not.toContain('href="javascript')
    expect(html).toContain('<b>bold</b>')
  })

  it('demotes a first-level heading so the page keeps one h1', () => {
    expect(renderMarkdown('# Title').trim()).toBe('<h2>Title</h2>')
  })
})
