import fs from 'node:fs'
import path from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type APIRequestContext, type BrowserContext, type Locator, type Page } from '@playwright/test'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Database } from '../../db/types'
import { open, openNullable, recipientIndex } from '../../app/models/data-key.server'
import { e2eDataDir } from '../support/database'

let db: Kysely<Database> | undefined

/** The e2e server's database, for arranging data no page can create yet. */
export function e2eDb(): Kysely<Database> {
  if (!db) {
    const url = fs.readFileSync(path.resolve(e2eDataDir(), 'database-url'), 'utf8').trim()
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }) })
  }
  return db
}

/**
 * Runs axe over the page as the person sees it now. axe is itself a script, so when JavaScript is
 * off the same HTML (without its scripts) is checked in a scripted page on the same origin.
 */
export async function expectAxeClean(page: Page) {
  // The whole document first: a story may check the page while its HTML still streams in, and a
  // copy taken then ends mid-page (a form whose aria-labelledby names a heading not yet there).
  await page.waitForLoadState('load')
  let target = page
  let scratch: BrowserContext | undefined
  if (test.info().project.use.javaScriptEnabled === false) {
    const html = (await page.content()).replace(/<script\b[\s\S]*?<\/script>/gi, '')
    scratch = await page.context().browser()!.newContext({ javaScriptEnabled: true })
    target = await scratch.newPage()
    await target.goto(new URL('/healthz', page.url()).toString())
    await target.setContent(html, { waitUntil: 'load' })
  }
  try {
    const results = await new AxeBuilder({ page: target }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
    expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
  } finally {
    await scratch?.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Story helpers: what a supporter does, in the words of the page.

/** True in the `js` project, false in `no-js`. */
export function javaScriptIsOn(): boolean {
  return test.info().project.use.javaScriptEnabled !== false
}

/** Everything a supporter can type or tick on the sign form. */
export interface Supporter {
  fullName: string
  email: string
  /** ISO 3166 alpha-2 code, the option's value. */
  country?: string
  postcode?: string
  keepMeUpdated?: boolean
  showMyName?: boolean
}

/** Fills the sign form by its visible (English) labels. Leaves untouched what is not given. */
export async function fillSignForm(page: Page, supporter: Supporter) {
  await page.getByLabel('Full name', { exact: true }).fill(supporter.fullName)
  await page.getByLabel('Email address').fill(supporter.email)
  if (supporter.country !== undefined) await page.getByLabel('Country', { exact: true }).selectOption(supporter.country)
  if (supporter.postcode !== undefined) await page.getByLabel('Postcode (optional)').fill(supporter.postcode)
  if (supporter.keepMeUpdated) await page.getByLabel('Keep me updated about this campaign').check()
  if (supporter.showMyName) await page.getByLabel('Show my first name and country on this page').check()
}

/** Opens the campaign page, signs, and waits for the "Check your email" page. */
export async function signPetition(page: Page, slug: string, supporter: Supporter) {
  await page.goto(`/campaigns/${slug}`)
  await fillSignForm(page, { country: 'GB', ...supporter })
  await page.getByRole('button', { name: 'Sign the petition' }).click()
  await expectCheckYourEmail(page, slug)
}

export async function expectCheckYourEmail(page: Page, slug: string) {
  await expect(page).toHaveURL(new RegExp(`/campaigns/${slug}/check-your-email(#main)?$`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email')
}

/**
 * The development mailbox for one address, once it holds `count` emails whose subject matches
 * (emails are sent by a background job, so this waits for them). Returns those emails, newest first.
 */
export async function mailboxFor(page: Page, to: string, subject: RegExp, count = 1): Promise<Locator> {
  const emails = page.getByRole('article').filter({ has: page.getByRole('heading', { level: 2, name: subject }) })
  await expect(async () => {
    await page.goto(`/dev/mailbox?to=${encodeURIComponent(to)}`)
    await expect(emails).toHaveCount(count, { timeout: 500 })
  }).toPass({ timeout: 15_000, intervals: [250, 500, 1000] })
  return emails
}

export const CONFIRM_SUBJECT = /^Confirm your signature on/
export const THANKS_SUBJECT = /^Thank you for signing/
export const ALREADY_SIGNED_SUBJECT = /^You have already signed/

/**
 * The confirmation link of the newest of `count` confirmation emails to `to` (the email's
 * "Confirm my signature" button, or its translation).
 */
export async function confirmationLink(
  page: Page,
  to: string,
  count = 1,
  { subject = CONFIRM_SUBJECT, button = 'Confirm my signature', lang = 'en' }: { subject?: RegExp; button?: string; lang?: string } = {},
): Promise<string> {
  const emails = await mailboxFor(page, to, subject, count)
  const href = await emails.first().getByRole('link', { name: button }).getAttribute('href')
  expect(href).toMatch(new RegExp(`^http://localhost:\\d+/confirm/[A-Za-z0-9_-]{20,}\\?lang=${lang}$`))
  return href!
}

/** Reloads the campaign page until its progress text reads `text` (counts are folded in the background). */
export async function expectCampaignCount(page: Page, slug: string, text: string | RegExp) {
  await page.goto(`/campaigns/${slug}`)
  const progress = page.locator('#campaign-progress-label')
  await expect(async () => {
    await page.reload()
    await expect(progress).toContainText(text, { timeout: 500 })
  }).toPass({ timeout: 15_000, intervals: [250, 500, 1000] })
}

/** The public JSON count, asked afresh each time. */
export async function apiCount(request: APIRequestContext, slug: string): Promise<number> {
  const response = await request.get(`/api/campaigns/${slug}`)
  expect(response.status()).toBe(200)
  return ((await response.json()) as { signatureCount: number }).signatureCount
}

/** Every signature row of a campaign, oldest first, with the signer's sealed details opened (decision 0040). */
export async function signaturesOf(campaignId: string) {
  const rows = await e2eDb().selectFrom('signatures').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute()
  return await Promise.all(
    rows.map(async (row) => ({
      ...row,
      full_name: await open(row.full_name, e2eDb()),
      email: await open(row.email, e2eDb()),
      postcode: await openNullable(row.postcode, e2eDb()),
    })),
  )
}

/** Emails recorded for an address (found by its blind index, as stored), oldest first. */
export async function emailsTo(address: string) {
  const rows = await e2eDb()
    .selectFrom('email_messages')
    .select(['template', 'subject', 'recipient'])
    .where('recipient_index', '=', await recipientIndex(address, e2eDb()))
    .orderBy('id')
    .execute()
  return await Promise.all(rows.map(async (row) => ({ ...row, recipient: await open(row.recipient, e2eDb()) })))
}

// ---------------------------------------------------------------------------------------------
// Organisers (the /admin workspace).

export const SIGN_IN_SUBJECT = /^Your link to sign in to Chorus/
export const INVITATION_SUBJECT = /^Join .+ on Chorus$/

/**
 * A person who can sign in to the workspace: a user with a membership (in a new organisation
 * unless `organisationId` is given). Sign them in with signInThroughMailbox.
 */
export async function createOrganiser(
  db: Kysely<Database>,
  {
    role = 'owner',
    organisationId,
    email,
    name = null,
  }: { role?: 'owner' | 'campaigner' | 'viewer'; organisationId?: string; email?: string; name?: string | null } = {},
) {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
  const organisation = organisationId
    ? await db.selectFrom('organisations').selectAll().where('id', '=', organisationId).executeTakeFirstOrThrow()
    : await db
        .insertInto('organisations')
        .values({ slug: `org-${id}`, name: `Organisation ${id}` })
        .returningAll()
        .executeTakeFirstOrThrow()
  const address = (email ?? `organiser-${id}@example.org`).toLowerCase()
  const user = await db
    .insertInto('users')
    .values({ email: address, name })
    .onConflict((oc) => oc.column('email').doUpdateSet({ email: address }))
    .returningAll()
    .executeTakeFirstOrThrow()
  const membership = await db
    .insertInto('memberships')
    .values({ organisation_id: organisation.id, user_id: user.id, role })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { email: address, user, organisation, membership }
}

/** The newest sign-in link emailed to `email`, once `count` such emails have arrived. */
export async function signInLink(page: Page, email: string, count = 1): Promise<string> {
  const emails = await mailboxFor(page, email, SIGN_IN_SUBJECT, count)
  const href = await emails.first().getByRole('link', { name: 'Sign in to Chorus' }).getAttribute('href')
  expect(href).toMatch(/^http:\/\/localhost:\d+\/admin\/sign-in\/[A-Za-z0-9_-]{20,}\?lang=\w+$/)
  return href!
}

/**
 * Signs in as `email` the way an organiser does: asks for a link at /admin/sign-in, opens it
 * from the development mailbox and presses "Sign in". Ends on the workspace (or on `next`).
 */
export async function signInThroughMailbox(page: Page, email: string, { next }: { next?: string } = {}) {
  const before = (await emailsTo(email)).filter((e) => e.template === 'sign-in-link').length
  await page.goto(next ? `/admin/sign-in?next=${encodeURIComponent(next)}` : '/admin/sign-in')
  await page.getByLabel('Email address').fill(email)
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your email')
  const link = await signInLink(page, email, before + 1)
  await page.goto(link)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await expect(page).toHaveURL(new RegExp(`${(next ?? '/admin').replace(/[.?*+^$()[\]{}|\\]/g, '\\$&')}$`))
  return link
}
