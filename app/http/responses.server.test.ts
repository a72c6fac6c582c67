import { describe, expect, it } from 'vitest'
import { readDone } from '~/http/done.server'
import { downloadResponse, imageResponse, jsonDownloadResponse, notFoundResponse, safeFileName } from '~/http/responses.server'

const image = { bytes: new Uint8Array([1, 2, 3]), contentType: 'image/png', sha256: 'ab12', cacheControl: 'public, max-age=60' }

describe('imageResponse', () => {
  it('serves the bytes with their type, length, cache policy and ETag, and forbids any other reading', async () => {
    const res = imageResponse(new Request('http://x/img'), image)
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toBe('image/png')
    expect(res.headers.get('Content-Length')).toBe('3')
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=60')
    expect(res.headers.get('ETag')).toBe('"ab12"')
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(res.headers.get('Content-Security-Policy')).toContain('sandbox')
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(image.bytes)
  })

  it('answers 304 with no body when the client already holds that ETag, weak or in a list', async () => {
    for (const tag of ['"ab12"', 'W/"ab12"', '"zz", "ab12"', '*']) {
      const res = imageResponse(new Request('http://x/img', { headers: { 'If-None-Match': tag } }), image)
      expect(res.status, tag).toBe(304)
      expect(res.headers.get('ETag')).toBe('"ab12"')
      expect(await res.text()).toBe('')
    }
  })

  it('sends the bytes again when the client holds another version', () => {
    const res = imageResponse(new Request('http://x/img', { headers: { 'If-None-Match': '"old"' } }), image)
    expect(res.status).toBe(200)
  })
})

describe('downloadResponse', () => {
  it('asks the browser to save the file under a clean name, never sniffing it', async () => {
    const res = downloadResponse({ body: 'a,b\n', contentType: 'text/csv; charset=utf-8', filename: 'pack-2026.csv' })
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="pack-2026.csv"')
    expect(res.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(res.headers.get('Cache-Control')).toBeNull()
    expect(await res.text()).toBe('a,b\n')
  })

  it('keeps quotes, paths and line breaks out of the file name', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd')
    expect(safeFileName('a"b\r\nc.json')).toBe('a-b--c.json')
    expect(safeFileName('.hidden')).toBe('hidden')
    expect(safeFileName('')).toBe('download')
  })

  it('sends JSON indented and never cached', async () => {
    const res = jsonDownloadResponse({ email: 'a@example.org' }, 'my-data.json')
    expect(res.headers.get('Cache-Control')).toBe('no-store')
    expect(res.headers.get('Content-Type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('Content-Disposition')).toBe('attachment; filename="my-data.json"')
    expect(await res.text()).toBe('{\n  "email": "a@example.org"\n}')
  })
})

describe('notFoundResponse', () => {
  it('is a plain, uncached 404', () => {
    const res = notFoundResponse()
    expect(res.status).toBe(404)
    expect(res.headers.get('Cache-Control')).toBe('no-store')
  })
})

describe('readDone', () => {
  const DONE = ['saved', 'removed'] as const
  it('returns the outcome named in ?done= when the page knows it', () => {
    expect(readDone(new Request('http://x/admin?done=saved'), DONE)).toBe('saved')
  })
  it('returns null for an unknown or missing outcome', () => {
    expect(readDone(new Request('http://x/admin?done=hacked'), DONE)).toBeNull()
    expect(readDone(new Request('http://x/admin'), DONE)).toBeNull()
    expect(readDone(new Request('http://x/admin?done=__proto__'), DONE)).toBeNull()
  })
})
