import { z } from 'zod'
import { isSignable } from '~/models/campaign.server'
import type { ApiClient } from '~/models/api-key.server'
import { getSignature, type PetitionRow } from '~/models/osdi.server'
import { hitRateLimit } from '~/models/rate-limit.server'
import { SignCampaignServerSchema, signCampaign, type SignOutcome } from '~/models/signature.server'
import { getEnv } from '~/utils/env.server'
import { isLocale, type Locale } from '~/utils/i18n'
import type { RequestContext } from '~/utils/request.server'

// record_signature_helper: an OSDI person becomes the sign form's fields and goes through the
// form's own schema and signCampaign (decision 0014), so the rules are the same everywhere.

/** Signatures one API key may submit per hour: a busy integration's pace, not a flood. */
export const API_SIGNATURE_WINDOW_SECONDS = 3600

export const apiSignatureBucket = (keyId: string) => `osdi-sign:${keyId}`

const shape = 'osdi.error.shape'
const text = z.string({ invalid_type_error: shape }).max(1000, shape)
const flag = z.boolean({ invalid_type_error: 'osdi.error.boolean' }).optional()

/** The body: an OSDI person plus the Chorus consent extensions. Unknown fields are ignored. */
export const RecordSignatureSchema = z.object(
  {
    person: z.object(
      {
        given_name: text.optional(),
        family_name: text.optional(),
        email_addresses: z
          .array(z.object({ address: text.optional(), primary: z.boolean().optional() }, { invalid_type_error: shape }), {
            invalid_type_error: shape,
          })
          .max(10, shape)
          .optional(),
        postal_addresses: z
          .array(z.object({ postal_code: text.optional(), country: text.optional(), primary: z.boolean().optional() }, { invalid_type_error: shape }), {
            invalid_type_error: shape,
          })
          .max(10, shape)
          .optional(),
        languages_spoken: z.array(text, { invalid_type_error: shape }).max(10, shape).optional(),
      },
      { required_error: 'osdi.error.personRequired', invalid_type_error: 'osdi.error.personRequired' },
    ),
    // OSDI helper functions: Chorus has no tags; accepted so standard clients work, and ignored.
    add_tags: z.array(text, { invalid_type_error: shape }).max(100, shape).optional(),
    referrer_data: z.object({ source: text.optional() }, { invalid_type_error: shape }).optional(),
    'chorus:consent_updates': flag,
    'chorus:consent_show_name': flag,
  },
  { invalid_type_error: 'osdi.error.notAnObject' },
)

export type RecordSignatureBody = z.infer<typeof RecordSignatureSchema>

export interface FieldError {
  /** Where in the OSDI body, e.g. `person.email_addresses[0].address`. */
  field: string
  /** The schema's message: a translation key, shown as it is should a message not be one. */
  code: string
}

function primaryOf<T extends { primary?: boolean }>(list: T[] | undefined): { item: T | undefined; index: number } {
  if (!list?.length) return { item: undefined, index: 0 }
  const index = Math.max(
    0,
    list.findIndex((entry) => entry.primary),
  )
  return { item: list[index], index }
}

function pathOf(path: (string | number)[]) {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part), '')
}

/** The signer's language: the first spoken language Chorus has, else the request's. */
function localeOf(body: RecordSignatureBody, fallback: Locale): Locale {
  for (const tag of body.person.languages_spoken ?? []) {
    const base = tag.trim().toLowerCase().split(/[-_]/)[0]
    if (isLocale(base)) return base
  }
  return fallback
}

export type ParsedSignature = { ok: true; input: z.infer<typeof SignCampaignServerSchema>; locale: Locale } | { ok: false; errors: FieldError[] }

/** Checks the body's shape, maps it onto the sign form's fields and applies the form's schema. */
export function parseRecordSignature(body: unknown, client: Pick<ApiClient, 'prefix'>, fallbackLocale: Locale): ParsedSignature {
  const shaped = RecordSignatureSchema.safeParse(body)
  if (!shaped.success) {
    return { ok: false, errors: shaped.error.issues.map((issue) => ({ field: pathOf(issue.path) || '(body)', code: issue.message })) }
  }
  const value = shaped.data
  const email = primaryOf(value.person.email_addresses)
  const postal = primaryOf(value.person.postal_addresses)
  const fields: Record<string, string> = {
    fullName: 'person.given_name',
    email: `person.email_addresses[${email.index}].address`,
    country: `person.postal_addresses[${postal.index}].country`,
    postcode: `person.postal_addresses[${postal.index}].postal_code`,
  }
  const form = SignCampaignServerSchema.safeParse({
    fullName: [value.person.given_name, value.person.family_name]
      .map((part) => part?.trim() ?? '')
      .filter(Boolean)
      .join(' '),
    email: email.item?.address ?? '',
    country: postal.item?.country ?? '',
    postcode: postal.item?.postal_code,
    consentUpdates: value['chorus:consent_updates'] ? 'on' : undefined,
    consentShowName: value['chorus:consent_show_name'] ? 'on' : undefined,
    // Which key sent it, and the client's own source code, as the form keeps ?source and utm_source.
    source: `api:${client.prefix}`,
    utmSource: value.referrer_data?.source,
  })
  if (!form.success) {
    return {
      ok: false,
      errors: form.error.issues.map((issue) => ({ field: fields[String(issue.path[0])] ?? pathOf(issue.path), code: issue.message })),
    }
  }
  return { ok: true, input: form.data, locale: localeOf(value, fallbackLocale) }
}

export type RecordSignatureResult =
  | { status: 'closed' }
  | { status: 'rate-limited'; retryAfterSeconds: number }
  | { status: 'created'; signature: NonNullable<Awaited<ReturnType<typeof getSignature>>> }
  | { status: 'duplicate'; outcome: Exclude<SignOutcome, 'created'> }

/**
 * Records a pending signature exactly as the sign form does (confirmation email, duplicates,
 * per-signature email limits), limited per API key rather than per address: an integration
 * sends many people's signatures from one server.
 */
export async function recordApiSignature(
  client: ApiClient,
  petition: PetitionRow,
  parsed: Extract<ParsedSignature, { ok: true }>,
  context: RequestContext,
): Promise<RecordSignatureResult> {
  if (!isSignable({ status: petition.status, opensAt: petition.opens_at, closesAt: petition.closes_at })) return { status: 'closed' }
  const limit = await hitRateLimit(apiSignatureBucket(client.keyId), {
    limit: getEnv().API_SIGN_RATE_LIMIT,
    windowSeconds: API_SIGNATURE_WINDOW_SECONDS,
  })
  if (!limit.allowed) return { status: 'rate-limited', retryAfterSeconds: limit.retryAfterSeconds }
  const result = await signCampaign({ id: petition.id, consentVersion: petition.consent_version }, parsed.input, {
    ...context,
    locale: parsed.locale,
    channel: 'api',
  })
  if (result.outcome === 'created' && result.signatureId) {
    const signature = await getSignature(client.organisation.id, petition.id, result.signatureId, { emails: client.crmSync })
    if (signature) return { status: 'created', signature }
  }
  return { status: 'duplicate', outcome: result.outcome === 'created' ? 'ignored' : result.outcome }
}
