import { data } from '@remix-run/node'
import { translate, type MessageKey } from '~/utils/i18n'

export const FORM_LIMIT_BYTES = 16 * 1024

/**
 * Thrown as a 400 answer: a body that is too large or not a form never reaches the parser.
 * `error` is a translation key (the error page shows it in the reader's language).
 */
export function badRequest(key: MessageKey) {
  return data({ error: key, message: translate('en', key) }, { status: 400, headers: { 'Cache-Control': 'no-store' } })
}

/**
 * Reads a url-encoded (or small multipart) form body, refusing more than `limit` bytes without
 * buffering it all. Throws a 400 response for oversized or malformed bodies.
 */
export async function readForm(request: Request, limit = FORM_LIMIT_BYTES): Promise<FormData> {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase()
  const declared = Number(request.headers.get('Content-Length') ?? 0)
  if (declared > limit) throw badRequest('error.formTooLarge')
  if (type === 'multipart/form-data') {
    try {
      return await request.formData()
    } catch {
      throw badRequest('error.formUnreadable')
    }
  }
  if (type !== 'application/x-www-form-urlencoded' && type !== 'text/plain' && type !== '') {
    throw badRequest('error.formEncoding')
  }
  const body = await readBodyWithin(request, limit)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch {
    throw badRequest('error.formUnreadable')
  }
  const form = new FormData()
  try {
    for (const [key, value] of new URLSearchParams(text)) form.append(key, value)
  } catch {
    throw badRequest('error.formUnreadable')
  }
  return form
}

/**
 * Reads the whole request body, giving up (and throwing a 400) as soon as it passes `limit`
 * bytes, so an undeclared or lying Content-Length cannot make us buffer more.
 */
export async function readBodyWithin(request: Request, limit: number): Promise<Buffer<ArrayBuffer>> {
  const reader = request.body?.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  if (reader) {
    while (true) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > limit) {
        await reader.cancel().catch(() => {})
        throw badRequest('error.formTooLarge')
      }
      chunks.push(value)
    }
  }
  return Buffer.concat(chunks)
}
