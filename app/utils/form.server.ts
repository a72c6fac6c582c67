import { parseWithZod, unstable_coerceFormValue as coerceFormValue } from '@conform-to/zod'
import { data } from '@remix-run/node'
import { z } from 'zod'
import { type MessageKey } from '~/utils/i18n'
import { translate } from '~/utils/i18n.server'

export const FORM_LIMIT_BYTES = 16 * 1024

/** Decodes a whole body at once (no streaming state carries between calls), refusing bad UTF-8. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Thrown as a 400 answer: a body that is too large or not a form never reaches the parser.
 * `error` is a translation key (the error page shows it in the reader's language).
 */
export function badRequest(key: MessageKey, status = key === 'error.formTooLarge' ? 413 : 400) {
  return data({ error: key, message: translate('en', key) }, { status, headers: { 'Cache-Control': 'no-store' } })
}

/**
 * Text without NUL characters: PostgreSQL refuses them in text, and no form field has a use for
 * one. Every form read through readForm is cleaned so (decision 0015); linear in its input.
 */
export function withoutNul(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value
}

/**
 * Reads a url-encoded (or small multipart) form body, refusing more than `limit` bytes without
 * buffering it all. Throws a 413 response for oversized bodies and a 400 for malformed ones.
 * Text fields (and field names) come back without NUL characters.
 */
export async function readForm(request: Request, limit = FORM_LIMIT_BYTES): Promise<FormData> {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase()
  const declared = Number(request.headers.get('Content-Length') ?? 0)
  if (declared > limit) throw badRequest('error.formTooLarge')
  if (type === 'multipart/form-data') {
    // Read within the limit first: the platform's multipart parser has no limit of its own.
    const body = await readBodyWithin(request, limit)
    let parsed: FormData
    try {
      parsed = await new Response(body, { headers: { 'Content-Type': request.headers.get('Content-Type')! } }).formData()
    } catch {
      throw badRequest('error.formUnreadable')
    }
    const form = new FormData()
    for (const [key, value] of parsed) {
      if (typeof value === 'string') form.append(withoutNul(key), withoutNul(value))
      else form.append(withoutNul(key), value) // files keep their bytes (an image holds NULs)
    }
    return form
  }
  if (type !== 'application/x-www-form-urlencoded' && type !== 'text/plain' && type !== '') {
    throw badRequest('error.formEncoding')
  }
  const form = new FormData()
  for (const [key, value] of fieldsOfUrlEncoded(await readBodyWithin(request, limit), limit)) form.append(key, value)
  return form
}

/**
 * A url-encoded body already read (the server's sign fast path reads it from the socket) as
 * readForm reads it: at most `limit` bytes, UTF-8, text without NUL characters; throws the same
 * 413 and 400 answers. Its fields as URLSearchParams, which the form parsers take as they take
 * FormData, without building one.
 */
export function fieldsOfUrlEncoded(body: Uint8Array, limit = FORM_LIMIT_BYTES): URLSearchParams {
  if (body.byteLength > limit) throw badRequest('error.formTooLarge')
  let text: string
  try {
    text = strictUtf8.decode(body)
  } catch {
    throw badRequest('error.formUnreadable')
  }
  let fields: URLSearchParams
  try {
    fields = new URLSearchParams(text)
  } catch {
    throw badRequest('error.formUnreadable')
  }
  // A NUL, typed or %00-encoded, is found once decoded; the fields are rebuilt only then.
  for (const [key, value] of fields) {
    if (key.includes('\u0000') || value.includes('\u0000')) {
      const clean = new URLSearchParams()
      for (const [k, v] of fields) clean.append(withoutNul(k), withoutNul(v))
      return clean
    }
  }
  return fields
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
      let chunk: ReadableStreamReadResult<Uint8Array>
      try {
        chunk = await reader.read()
      } catch {
        // The server cut the body off at its cap (and has answered 413), or the client went away.
        throw badRequest('error.formTooLarge')
      }
      const { done, value } = chunk
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

const coerced = new WeakMap<z.ZodTypeAny, z.ZodTypeAny>()

/**
 * Conform's parseWithZod, with the schema's form coercion (empty strings to undefined, `on` to
 * true, text to numbers) built once per schema rather than once per parse: rebuilding it is most
 * of what parsing a small form costs, and the sign form is parsed on every signature. The result
 * is the same as `parseWithZod(form, { schema })`.
 */
export function parseSubmission<Schema extends z.ZodTypeAny>(form: FormData | URLSearchParams, schema: Schema) {
  let coercing = coerced.get(schema)
  if (!coercing) {
    coercing = coerceFormValue(schema) as z.ZodTypeAny
    coerced.set(schema, coercing)
  }
  return parseWithZod(form, { schema: coercing as Schema, disableAutoCoercion: true })
}

/**
 * The names of a form schema whose fields are all plain text (strings and string literals, maybe
 * optional, maybe transformed or refined, never preprocessed nor piped into a second string), or null when it has
 * any other: Conform coerces such a field by its first string alone (empty text is missing), which
 * parseValidTextForm does the same way. Worked out once per schema.
 */
const textFieldNames = new WeakMap<z.ZodTypeAny, ReadonlySet<string> | null>()

function textFieldNamesOf(schema: z.ZodTypeAny): ReadonlySet<string> | null {
  if (textFieldNames.has(schema)) return textFieldNames.get(schema)!
  let object: z.ZodTypeAny = schema
  while (object instanceof z.ZodEffects) object = object.innerType()
  let names: Set<string> | null = null
  if (object instanceof z.ZodObject) {
    names = new Set()
    for (const [name, field] of Object.entries(object.shape as Record<string, z.ZodTypeAny>)) {
      let type = field
      let preprocessed = false
      while (type instanceof z.ZodOptional || type instanceof z.ZodEffects) {
        // Conform coerces what a preprocess hands on, not the text sent: not plain text here.
        if (type instanceof z.ZodEffects && type._def.effect.type === 'preprocess') preprocessed = true
        type = type instanceof z.ZodOptional ? type.unwrap() : type.innerType()
      }
      const text = !preprocessed && (type instanceof z.ZodString || (type instanceof z.ZodLiteral && typeof type.value === 'string'))
      if (!text) {
        names = null
        break
      }
      names.add(name)
    }
  }
  textFieldNames.set(schema, names)
  return names
}

/**
 * parseSubmission's value for a valid form of text fields, without Conform's work (the sign form
 * is parsed on every signature, and Conform's building and coercing of the form was most of what
 * parsing it allocated, decision 0050). Each field named once, by one of the schema's names, as
 * text; empty text is missing, as Conform's coercion makes it; then the schema itself. Null
 * whenever Conform must answer instead: a schema with fields other than text, a name the schema
 * does not have or one sent twice, a file, or any refusal (whose messages are Conform's to give).
 */
export function parseValidTextForm<Schema extends z.ZodTypeAny>(form: FormData | URLSearchParams, schema: Schema): z.output<Schema> | null {
  const names = textFieldNamesOf(schema)
  if (!names) return null
  const fields: Record<string, string | undefined> = {}
  for (const [name, value] of form) {
    if (typeof value !== 'string' || !names.has(name) || Object.hasOwn(fields, name)) return null
    fields[name] = value === '' ? undefined : value
  }
  const parsed = schema.safeParse(fields)
  return parsed.success ? (parsed.data as z.output<Schema>) : null
}

/**
 * A Conform result carrying one form-level error and no field errors, for answers decided before
 * the body is read (a rate limit): the form shows the message, nothing else.
 */
export function formErrorResult(key: MessageKey) {
  return parseWithZod(new FormData(), { schema: z.object({}) }).reply({ formErrors: [key] })
}
