import { sql } from 'kysely'
import type { SignatureState } from '#db/types'
import { PUBLIC_STATES } from '~/models/campaign.server'
import { open, openNullable } from '~/models/data-key.server'
import { getDb, type Executor } from '~/utils/db.server'
import { DEFAULT_LOCALE, isLocale, type Locale } from '~/utils/i18n'
import { translate } from '~/utils/i18n.server'
import { renderMarkdown } from '~/utils/markdown.server'

// The OSDI (Open Supporter Data Interface) view of an organisation's petitions and signatures:
// docs/decisions/0014-osdi-api.md. All queries take the organisation, so a key never reaches
// another organisation's data.

export const OSDI_BASE_PATH = '/api/osdi/v1'
export const ORIGIN_SYSTEM = 'Chorus'
export const DEFAULT_PAGE_SIZE = 25
export const MAX_PAGE_SIZE = 100

export interface Paging {
  page: number
  perPage: number
}

export interface Page<T> {
  items: T[]
  page: number
  perPage: number
  totalRecords: number
  totalPages: number
}

function pageOf<T>(items: T[], totalRecords: number, { page, perPage }: Paging): Page<T> {
  return { items, page, perPage, totalRecords, totalPages: Math.max(1, Math.ceil(totalRecords / perPage)) }
}

/** A route's `:petitionId` as a campaign id, or null for anything that is not one. */
export function parsePetitionId(value: string | undefined): string | null {
  return value && /^[1-9]\d{0,17}$/.test(value) ? value : null
}

const petitionColumns = [
  'c.id',
  'c.slug',
  'c.status',
  'c.locale',
  'c.title',
  'c.summary',
  'c.story',
  'c.demand',
  'c.target_name',
  'c.target_role',
  'c.signature_goal',
  'c.signature_count',
  'c.consent_version',
  'c.consent_updates_text',
  'c.consent_show_name_text',
  'c.opens_at',
  'c.closes_at',
  'c.created_at',
  sql<Date>`greatest(c.updated_at, coalesce(c.counted_at, c.updated_at))`.as('modified_at'),
] as const

function petitionQuery(executor: Executor, organisationId: string) {
  return (
    executor
      .selectFrom('campaigns as c')
      .select(petitionColumns)
      .where('c.organisation_id', '=', organisationId)
      // Drafts are not petitions yet: nobody can sign them and their page does not exist.
      .where('c.status', 'in', PUBLIC_STATES)
  )
}

export type PetitionRow = Awaited<ReturnType<ReturnType<typeof petitionQuery>['executeTakeFirstOrThrow']>>

/** The organisation's live and closed campaigns, newest first. */
export async function listPetitions(organisationId: string, paging: Paging, executor: Executor = getDb()): Promise<Page<PetitionRow>> {
  const [items, total] = await Promise.all([
    petitionQuery(executor, organisationId)
      .orderBy('c.created_at', 'desc')
      .orderBy('c.id', 'desc')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    executor
      .selectFrom('campaigns')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('organisation_id', '=', organisationId)
      .where('status', 'in', PUBLIC_STATES)
      .executeTakeFirstOrThrow(),
  ])
  return pageOf(items, total.n, paging)
}

/** One of the organisation's petitions, or null (unknown, a draft, or another organisation's). */
export async function getPetition(organisationId: string, petitionId: string, executor: Executor = getDb()) {
  return (await petitionQuery(executor, organisationId).where('c.id', '=', petitionId).executeTakeFirst()) ?? null
}

const signatureColumns = [
  's.id',
  's.campaign_id',
  's.state',
  's.full_name',
  's.email',
  's.country',
  's.postcode',
  's.locale',
  's.consent_updates',
  's.consent_show_name',
  's.source',
  's.utm_source',
  's.created_at',
  's.confirmed_at',
  's.updated_at',
  's.contact_erased_at',
] as const

function signatureQuery(executor: Executor, organisationId: string, petitionId: string) {
  return executor
    .selectFrom('signatures as s')
    .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
    .select(signatureColumns)
    .where('c.organisation_id', '=', organisationId)
    .where('c.status', 'in', PUBLIC_STATES)
    .where('s.campaign_id', '=', petitionId)
}

type SealedSignatureRow = Awaited<ReturnType<ReturnType<typeof signatureQuery>['executeTakeFirstOrThrow']>>

/**
 * A signature as one key may see it: `full_name` is null unless the signer agreed to be named,
 * `email` is null unless the key is the CRM sync.
 */
export type SignatureRow = Omit<SealedSignatureRow, 'full_name' | 'email'> & { full_name: string | null; email: string | null }

/**
 * What a key may receive (decision 0047): every key that may read gets postcodes and countries,
 * and names only of signers who agreed to be named; only a key marked for CRM sync gets email
 * addresses.
 */
export interface SignatureReader {
  emails: boolean
}

/**
 * The signer's sealed details opened (decision 0040) for a key that may read. A name the signer
 * did not agree to show, and an email address the key may not have, are not even opened, so no
 * later change to the representation can leak them.
 */
async function openSignatureRow(row: SealedSignatureRow, reader: SignatureReader, executor: Executor): Promise<SignatureRow> {
  return {
    ...row,
    full_name: row.consent_show_name ? await open(row.full_name, executor) : null,
    email: reader.emails ? await open(row.email, executor) : null,
    postcode: await openNullable(row.postcode, executor),
  }
}

/**
 * A petition's confirmed signatures in the order they were confirmed (so a new confirmation
 * lands on the last page and earlier pages stay put).
 */
export async function listConfirmedSignatures(
  organisationId: string,
  petitionId: string,
  paging: Paging,
  reader: SignatureReader,
  executor: Executor = getDb(),
): Promise<Page<SignatureRow>> {
  const [items, total] = await Promise.all([
    signatureQuery(executor, organisationId, petitionId)
      .where('s.state', '=', 'confirmed')
      .orderBy('s.confirmed_at')
      .orderBy('s.id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    executor
      .selectFrom('signatures as s')
      .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('c.organisation_id', '=', organisationId)
      .where('s.campaign_id', '=', petitionId)
      .where('s.state', '=', 'confirmed')
      .executeTakeFirstOrThrow(),
  ])
  return pageOf(await Promise.all(items.map((row) => openSignatureRow(row, reader, executor))), total.n, paging)
}

/** One signature on one of the organisation's petitions (any state; invalidated ones are null). */
export async function getSignature(organisationId: string, petitionId: string, signatureId: string, reader: SignatureReader, executor: Executor = getDb()) {
  const row = await signatureQuery(executor, organisationId, petitionId)
    .where('s.id', '=', signatureId)
    .where('s.state', '<>', 'invalidated')
    .executeTakeFirst()
  return row ? await openSignatureRow(row, reader, executor) : null
}

// ---------------------------------------------------------------------------------------------
// Representations (HAL+JSON, field names and link relations as OSDI 1.1 and Action Network v2).

export function osdiUrl(appUrl: string, path = '') {
  return `${appUrl}${OSDI_BASE_PATH}${path}`
}

/** `osdi:petitions` and friends are documented by the OSDI specification itself. */
export const CURIES = [{ name: 'osdi', href: 'https://opensupporter.github.io/osdi-docs/{rel}', templated: true }]

const identifier = (id: string) => `chorus:${id}`

export function petitionLinks(appUrl: string, id: string) {
  const self = osdiUrl(appUrl, `/petitions/${id}`)
  return {
    self: { href: self },
    'osdi:signatures': { href: `${self}/signatures` },
    'osdi:record_signature_helper': { href: `${self}/signatures/record_signature_helper` },
  }
}

/** The OSDI petition: texts in the campaign's base language (its `chorus:locale`). */
export function petitionResource(appUrl: string, row: PetitionRow) {
  const baseLocale: Locale = isLocale(row.locale) ? row.locale : DEFAULT_LOCALE
  return {
    identifiers: [identifier(row.id)],
    origin_system: ORIGIN_SYSTEM,
    created_date: row.created_at.toISOString(),
    modified_date: row.modified_at.toISOString(),
    name: row.slug,
    title: row.title,
    summary: row.summary,
    // OSDI's description may carry HTML: the story as the campaign page shows it (sanitised).
    description: row.story ? renderMarkdown(row.story) : row.summary,
    petition_text: row.demand,
    browser_url: `${appUrl}/campaigns/${row.slug}`,
    // The cached confirmed count the campaign page shows (decision 0002).
    total_signatures: row.signature_count,
    target: [row.target_role ? { name: row.target_name, title: row.target_role } : { name: row.target_name }],
    'chorus:status': row.status,
    'chorus:locale': row.locale,
    'chorus:signature_goal': row.signature_goal,
    // What the sign form shows beside its two checkboxes: an integration that collects
    // signatures shows the same words, so the consent recorded means the same thing.
    'chorus:consent_wording': {
      updates: row.consent_updates_text || translate(baseLocale, 'sign.consentUpdates'),
      show_name: row.consent_show_name_text || translate(baseLocale, 'sign.consentShowName'),
    },
    _links: petitionLinks(appUrl, row.id),
  }
}

/**
 * OSDI splits names; Chorus keeps the one field people typed. The first word is the given name
 * and the rest the family name, as the campaign page does for "first names" (firstNameOf).
 */
export function splitFullName(fullName: string): { given_name: string; family_name?: string } {
  const words = fullName.trim().split(/\s+/)
  const [given = '', ...rest] = words
  return rest.length ? { given_name: given, family_name: rest.join(' ') } : { given_name: given }
}

/**
 * The signer as an embedded OSDI person: name (only with the signer's consent to be named),
 * email address (CRM sync keys only), postcode and country, language. Only what the
 * organisation needs to act on a signature; never the IP hash or tracking details. A withheld
 * name or address is left out, never sent empty, so no integration mistakes it for a value.
 */
export function personResource(row: Pick<SignatureRow, 'full_name' | 'email' | 'country' | 'postcode' | 'locale'>) {
  const country = row.country.trim()
  return {
    ...(row.full_name !== null ? splitFullName(row.full_name) : {}),
    ...(row.email !== null ? { email_addresses: [{ address: row.email, primary: true }] } : {}),
    postal_addresses: [{ primary: true, ...(row.postcode ? { postal_code: row.postcode } : {}), country }],
    languages_spoken: [row.locale],
  }
}

export function signatureResource(appUrl: string, row: SignatureRow) {
  const petition = osdiUrl(appUrl, `/petitions/${row.campaign_id}`)
  const state: SignatureState = row.state
  return {
    identifiers: [identifier(row.id)],
    origin_system: ORIGIN_SYSTEM,
    created_date: row.created_at.toISOString(),
    modified_date: row.updated_at.toISOString(),
    action_date: row.created_at.toISOString(),
    // Pending until the signer follows the link in the confirmation email; only confirmed
    // signatures count and are listed.
    'chorus:status': state,
    'chorus:confirmed_date': row.confirmed_at ? row.confirmed_at.toISOString() : null,
    'chorus:consent_updates': row.consent_updates,
    'chorus:consent_show_name': row.consent_show_name,
    // Erased on schedule or at the signer's request (decision 0045): counted, no longer a person.
    ...(row.contact_erased_at ? { 'chorus:contact_erased_date': row.contact_erased_at.toISOString() } : {}),
    ...(row.utm_source || row.source ? { referrer_data: { source: row.utm_source ?? row.source } } : {}),
    _links: {
      self: { href: `${petition}/signatures/${row.id}` },
      'osdi:petition': { href: petition },
    },
    // A pending signature's address is not verified yet: its person data stays out.
    ...(state === 'confirmed' && !row.contact_erased_at ? { _embedded: { 'osdi:person': personResource(row) } } : {}),
  }
}

/** HAL paging links: self, first, prev, next, last, each with the same per_page. */
/**
 * An OSDI collection: paging fields, first/prev/next/last links, and the items both linked and
 * embedded under `osdi:<name>`.
 */
export function collectionResource<T extends { _links: { self: { href: string } } }>(url: string, page: Page<unknown>, name: string, items: T[]) {
  return {
    total_pages: page.totalPages,
    per_page: page.perPage,
    page: page.page,
    total_records: page.totalRecords,
    _links: { ...pageLinks(url, page), [`osdi:${name}`]: items.map((item) => item._links.self) },
    _embedded: { [`osdi:${name}`]: items },
  }
}

export function pageLinks(url: string, page: Page<unknown>) {
  const at = (n: number) => {
    const target = new URL(url)
    target.search = new URLSearchParams({ page: String(n), per_page: String(page.perPage) }).toString()
    return { href: target.toString() }
  }
  return {
    self: at(page.page),
    first: at(1),
    ...(page.page > 1 ? { prev: at(Math.min(page.page - 1, page.totalPages)) } : {}),
    ...(page.page < page.totalPages ? { next: at(page.page + 1) } : {}),
    last: at(page.totalPages),
  }
}
