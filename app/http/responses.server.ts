import { NO_STORE } from '~/utils/http.server'

/** What a file download needs: its body, its type and the name the browser saves it under. */
export type Download = {
  body: BodyInit
  contentType: string
  filename: string
  /** Files that name people are never kept by a cache (admin pages already send no-store). */
  noStore?: boolean
}

/** A file name safe inside `filename="…"`: no quotes, backslashes, control characters or path. */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? ''
  const cleaned = base.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^\.+/, '')
  return cleaned || 'download'
}

/**
 * A file the browser saves rather than shows (delivery packs, a supporter's data): attachment,
 * a clean file name, and no content sniffing.
 */
export function downloadResponse({ body, contentType, filename, noStore }: Download): Response {
  return new Response(body, {
    headers: {
      'Content-Type': contentType,
      'Content-Disposition': `attachment; filename="${safeFileName(filename)}"`,
      'X-Content-Type-Options': 'nosniff',
      ...(noStore ? { 'Cache-Control': NO_STORE } : {}),
    },
  })
}

/** A JSON document to download, indented for the person who opens it; never cached. */
export function jsonDownloadResponse(value: unknown, filename: string): Response {
  return downloadResponse({ body: JSON.stringify(value, null, 2), contentType: 'application/json; charset=utf-8', filename, noStore: true })
}

export type ServedImage = {
  bytes: Uint8Array
  contentType: string
  /** Hex digest of the bytes: the ETag, so a client that holds them gets a 304. */
  sha256: string
  cacheControl: string
}

/** True when the request's If-None-Match names this ETag (weak or strong, in a list or alone). */
function matchesEtag(request: Request, etag: string): boolean {
  const header = request.headers.get('If-None-Match')
  if (!header) return false
  return header.split(',').some((tag) => {
    const trimmed = tag.trim()
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag
  })
}

/**
 * An image the app serves (campaign images, logos, share cards): its cache policy, an ETag from
 * its hash (304 when the client holds it), and headers that forbid any reading but as an image.
 */
export function imageResponse(request: Request, image: ServedImage): Response {
  const etag = `"${image.sha256}"`
  const headers = {
    'Cache-Control': image.cacheControl,
    ETag: etag,
    // The bytes were checked to be an image; never let a browser guess otherwise.
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  }
  if (matchesEtag(request, etag)) return new Response(null, { status: 304, headers })
  return new Response(new Uint8Array(image.bytes), {
    headers: { ...headers, 'Content-Type': image.contentType, 'Content-Length': String(image.bytes.byteLength) },
  })
}

/** The plain 404 of a resource route (an image or file that is not there): never cached. */
export function notFoundResponse(): Response {
  return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain', 'Cache-Control': NO_STORE } })
}
