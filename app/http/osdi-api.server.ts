import type { ActionFunctionArgs } from '@remix-run/node'
import { authenticateApiKey, scopeAllows, type ApiClient, type ApiKeyScope } from '~/models/api-key.server'
import { getPetition, parsePetitionId, signatureResource, CURIES, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, osdiUrl, type Paging } from '~/models/osdi.server'
import { parseRecordSignature, recordApiSignature } from '~/models/osdi-signature.server'
import { getEnv } from '~/utils/env.server'
import { readBodyWithin, withoutNul } from '~/utils/form.server'
import { DEFAULT_LOCALE, localeFromAcceptLanguage, type Locale, type MessageKey } from '~/utils/i18n'
import { makeTranslator, translate } from '~/utils/i18n.server'
import { requestContext } from '~/utils/request.server'

// HTTP plumbing of the OSDI API (decision 0014): keys, HAL responses, JSON errors, bodies, paging.

export const HAL_JSON = 'application/hal+json; charset=utf-8'
/** A signature is a few hundred bytes of JSON; anything much larger is a mistake or an attack. */
export const MAX_JSON_BODY_BYTES = 16 * 1024

const PRIVATE = {
  // Every answer carries the organisation's data for one key: never cached on the way.
  'Cache-Control': 'no-store',
  Vary: 'Authorization, OSDI-API-Token, Accept-Language',
}

export function hal(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}) {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'Content-Type': HAL_JSON, ...PRIVATE, ...init.headers },
  })
}

/** A JSON error: `error` is a stable code for programs, `message` is for people, in their language. */
export function apiError(
  status: number,
  code: string,
  key: MessageKey,
  locale: Locale,
  { headers, extra }: { headers?: Record<string, string>; extra?: Record<string, unknown> } = {},
) {
  return new Response(JSON.stringify({ error: code, message: translate(locale, key), ...extra }), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...PRIVATE, ...headers },
  })
}

/** Error messages follow Accept-Language; an API has no cookie or language switcher. */
export function apiLocale(request: Request): Locale {
  return localeFromAcceptLanguage(request.headers.get('Accept-Language')) ?? DEFAULT_LOCALE
}

/** The key a request presents: OSDI's `OSDI-API-Token` header, or `Authorization: Bearer`. */
export function presentedKey(request: Request): string | null {
  const osdi = request.headers.get('OSDI-API-Token')?.trim()
  if (osdi) return osdi
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('Authorization') ?? '')
  return match?.[1] ?? null
}

/** The guard of every API route: 401 without a working key, 403 when its scope is too narrow. */
export async function requireApiClient(request: Request, needed: ApiKeyScope): Promise<{ client: ApiClient; locale: Locale }> {
  const locale = apiLocale(request)
  const key = presentedKey(request)
  const challenge = { 'WWW-Authenticate': 'Bearer realm="chorus-osdi"' }
  if (!key) throw apiError(401, 'unauthorized', 'osdi.error.noKey', locale, { headers: challenge })
  const client = await authenticateApiKey(key)
  if (!client) throw apiError(401, 'unauthorized', 'osdi.error.badKey', locale, { headers: challenge })
  if (!scopeAllows(client.scope, needed)) throw apiError(403, 'forbidden', 'osdi.error.scope', locale)
  return { client, locale }
}

/** The organisation's petition named by the route, or a 404 (unknown, a draft, or not theirs). */
export async function requirePetition(client: ApiClient, petitionId: string | undefined, locale: Locale) {
  const id = parsePetitionId(petitionId)
  const petition = id ? await getPetition(client.organisation.id, id) : null
  if (!petition) throw apiError(404, 'not_found', 'osdi.error.notFound', locale)
  return petition
}

/** `page` (from 1) and `per_page` (at most MAX_PAGE_SIZE) from the query string; 400 when not numbers. */
export function readPaging(request: Request, locale: Locale): Paging {
  const params = new URL(request.url).searchParams
  const number = (name: string, fallback: number) => {
    const raw = params.get(name)
    if (raw === null || raw === '') return fallback
    if (!/^\d{1,9}$/.test(raw)) throw apiError(400, 'invalid_request', 'osdi.error.paging', locale)
    return Number(raw)
  }
  const page = Math.max(1, number('page', 1))
  const perPage = Math.min(MAX_PAGE_SIZE, Math.max(1, number('per_page', DEFAULT_PAGE_SIZE)))
  return { page, perPage }
}

/** The URL of this request under APP_URL (never the Host header), for HAL links. */
export function canonicalUrl(request: Request): string {
  const url = new URL(request.url)
  return `${getEnv().APP_URL}${url.pathname}${url.search}`
}

/** Reads a JSON body: 415 for other content types, 413 past the limit, 400 for bad UTF-8 or JSON. */
export async function readJsonBody(request: Request, locale: Locale): Promise<unknown> {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json' && !/^application\/[\w.-]+\+json$/.test(type)) {
    throw apiError(415, 'unsupported_media_type', 'osdi.error.contentType', locale, { headers: { Accept: 'application/json' } })
  }
  if (Number(request.headers.get('Content-Length') ?? 0) > MAX_JSON_BODY_BYTES) {
    throw apiError(413, 'payload_too_large', 'osdi.error.tooLarge', locale)
  }
  let bytes: Buffer
  try {
    bytes = await readBodyWithin(request, MAX_JSON_BODY_BYTES)
  } catch {
    throw apiError(413, 'payload_too_large', 'osdi.error.tooLarge', locale)
  }
  try {
    // NUL characters (`\u0000`) are dropped from every key and string, as readForm does.
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes), withoutNulReviver) as unknown
  } catch {
    throw apiError(400, 'invalid_json', 'osdi.error.badJson', locale)
  }
}

function withoutNulReviver(_key: string, value: unknown): unknown {
  if (typeof value === 'string') return withoutNul(value)
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((key) => key.includes('\u0000'))) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [withoutNul(key), inner]))
  }
  return value
}

export function methodNotAllowed(allow: string) {
  return async ({ request }: { request: Request }) =>
    apiError(405, 'method_not_allowed', 'osdi.error.method', apiLocale(request), { headers: { Allow: allow } })
}

/** Everything the API answers carries the curies, so `osdi:` relations can be looked up. */
export function withCuries<T extends { _links: object }>(resource: T) {
  return { ...resource, _links: { ...resource._links, curies: CURIES } }
}

/**
 * POST record_signature_helper (also at .../signatures, as Action Network has it): needs a write
 * key; answers 201 with the new pending signature, or 200 when the address had already signed
 * (nothing more said, as the sign form says nothing more).
 */
export async function recordSignatureAction({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== 'POST') return methodNotAllowed('POST')({ request })
  const { client, locale } = await requireApiClient(request, 'write')
  const petition = await requirePetition(client, params.petitionId, locale)
  const body = await readJsonBody(request, locale)
  const parsed = parseRecordSignature(body, client, locale)
  if (!parsed.ok) {
    return apiError(400, 'invalid_request', 'osdi.error.invalid', locale, {
      extra: { errors: parsed.errors.map((e) => ({ field: e.field, code: e.code, message: makeTranslator(locale).message(e.code) })) },
    })
  }
  const appUrl = getEnv().APP_URL
  const result = await recordApiSignature(client, petition, parsed, requestContext(request, context))
  switch (result.status) {
    case 'closed':
      return apiError(409, 'petition_closed', 'sign.error.closed', locale)
    case 'rate-limited':
      return apiError(429, 'rate_limited', 'osdi.error.rateLimited', locale, {
        headers: { 'Retry-After': String(result.retryAfterSeconds) },
      })
    case 'created': {
      const resource = withCuries(signatureResource(appUrl, result.signature))
      return hal(resource, { status: 201, headers: { Location: resource._links.self.href } })
    }
    case 'duplicate':
      return hal(
        withCuries({
          notice: translate(locale, 'osdi.notice.duplicate'),
          'chorus:status': 'duplicate',
          _links: { 'osdi:petition': { href: osdiUrl(appUrl, `/petitions/${petition.id}`) } },
        }),
        { status: 200 },
      )
  }
}
