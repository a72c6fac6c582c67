import crypto from 'node:crypto'
import { sql } from 'kysely'
import type { Signature } from '#db/types'
import { campaignPhase } from '~/models/campaign.server'
import { emailIndex, openerFor, organisationOfCampaign, sealerFor } from '~/models/data-key.server'
import { assessSignature, domainRuleFacts, verifySignChallenge } from '~/models/integrity.server'
import { signInBatch, type BatchSigner } from '~/models/sign-batch.server'
import { hitRateLimit, noteRateLimitHit, weighRateLimit, type RateLimit } from '~/models/rate-limit.server'
import { awaitsConfirmation, awaitsConfirmationSql } from '~/models/signature-state'
import { SignCampaignSchema, type SignCampaignInput } from '~/models/signature-schema'
import { isCountryCode } from '~/utils/countries.server'
import { getDb, type Executor, type Tx } from '~/utils/db.server'
import type { Locale } from '~/utils/i18n'
import { queueEmail } from '~/models/email-outbox.server'
import type { RequestContext } from '~/utils/request.server'
import { emailDomainOf } from '~/utils/mail-providers'
import { generateToken, hashToken, recentStoredAddressHashes } from '~/utils/security.server'

/** How many confirmation or "already signed" emails one signature may trigger per day. */
export const MAX_SENDS_PER_DAY = 3

/** The form's rules plus those only the server can check. */
export const SignCampaignServerSchema = SignCampaignSchema.superRefine((value, ctx) => {
  if (!isCountryCode(value.country)) {
    ctx.addIssue({ code: 'custom', path: ['country'], message: 'sign.error.countryRequired' })
  }
})

export { canonicalEmail } from '~/models/email-address'

export type SignOutcome = 'created' | 'resent' | 'already-confirmed' | 'throttled' | 'ignored'

/**
 * Records a signature (or finds the existing one) and queues the right email in the same
 * transaction. Callers answer every outcome the same way, so nobody learns whether an
 * address has signed.
 */
export async function signCampaign(
  campaign: { id: string; consentVersion: string },
  input: SignCampaignInput,
  context: RequestContext & { locale: Locale; channel?: 'form' | 'api' },
): Promise<{ outcome: SignOutcome; signatureId: string | null }> {
  if (input.website) return { outcome: 'ignored', signatureId: null }
  const token = generateToken()
  const canonical = await emailIndex(input.email)
  // Name, address and postcode are sealed with the organisation's key (decision 0040).
  const seal = await sealerFor(await organisationOfCampaign(getDb(), campaign.id))
  const [ipHash, yesterdaysIpHash] = recentStoredAddressHashes(context.ip)
  const emailDomain = emailDomainOf(input.email)
  const challenge = await verifySignChallenge(input.altcha)
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      // The integrity rules (decision 0030): a held signature is answered like any other.
      const holdReasons = await assessSignature(tx, {
        campaignId: campaign.id,
        emailDomain,
        ipHash,
        yesterdaysIpHash,
        channel: context.channel ?? 'form',
        challenge,
      })
      const inserted = await tx
        .insertInto('signatures')
        .values({
          campaign_id: campaign.id,
          full_name: seal(input.fullName),
          email: seal(input.email),
          email_index: canonical,
          country: input.country,
          postcode: input.postcode ? seal(input.postcode.toUpperCase()) : null,
          locale: context.locale,
          consent_updates: input.consentUpdates === 'on',
          consent_show_name: input.consentShowName === 'on',
          consent_version: campaign.consentVersion,
          confirmation_token_hash: hashToken(token),
          ip_hash: ipHash,
          email_domain: emailDomain || null,
          state: holdReasons.length > 0 ? 'held' : 'pending',
          hold_reasons: holdReasons,
          source: input.source ?? null,
          utm_source: input.utmSource ?? null,
          utm_medium: input.utmMedium ?? null,
          utm_campaign: input.utmCampaign ?? null,
          sends_in_window: 1,
          send_window_started_at: sql`now()`,
        })
        .onConflict((oc) => oc.constraint('signatures_campaign_email_index_key').doNothing())
        .returning('id')
        .executeTakeFirst()
      if (inserted) {
        await queueSignatureEmail(tx, 'signature-confirmation', { id: inserted.id, campaignId: campaign.id, locale: context.locale }, token)
        return { outcome: 'created', signatureId: inserted.id }
      }

      const existing = await tx
        .selectFrom('signatures')
        .selectAll()
        .where('campaign_id', '=', campaign.id)
        .where('email_index', '=', canonical)
        .forUpdate()
        .executeTakeFirstOrThrow()
      return { outcome: await emailExistingSignature(tx, existing), signatureId: existing.id }
    })
}

export type FormSignResult =
  { outcome: SignOutcome; signatureId: string | null } | { outcome: 'rate-limited'; retryAfterSeconds: number } | { outcome: 'closed'; signatureId: null }

/**
 * The sign form's path (decisions 0020 and 0050): the client's rate-limit hit, the integrity
 * rules, the new signature and its confirmation email in ONE statement, so one round trip and one
 * transaction keep or lose them together; signers arriving together share the statement. The
 * route has already looked at the limit (without counting) before reading the body. In attack
 * mode the statement spends the signer's solved challenge or holds the signature (decision 0030),
 * so a surge that starts attack mode stays on this path. A repeat signer takes signCampaign's
 * general path, the hit already counted.
 */
export async function signCampaignFromForm(
  campaign: { id: string; consentVersion: string; organisation?: { id: string } },
  input: SignCampaignInput,
  context: RequestContext & { locale: Locale },
  rate: RateLimit & { bucket: string },
): Promise<FormSignResult> {
  if (input.website) {
    await hitRateLimit(rate.bucket, rate)
    return { outcome: 'ignored', signatureId: null }
  }
  const signer = await formSigner(campaign, input, context, rate)
  // Written with whoever else is signing now, in one statement (decision 0050).
  const row = await signInBatch(signer)
  // The statement committed its hit: the next look in this process knows whether one more fits.
  noteRateLimitHit(rate.bucket, rate, row)
  if (!row.allowed) return { outcome: 'rate-limited', retryAfterSeconds: weighRateLimit(row, rate).retryAfterSeconds }
  if (!row.open) return { outcome: 'closed', signatureId: null }
  if (row.signature_id) return { outcome: 'created', signatureId: row.signature_id }
  return await signCampaign(campaign, input, { ...context, channel: 'form' })
}

/**
 * A form's signer as the sign statements take them (models/sign-batch.server.ts): sealed, hashed,
 * their challenge verified, a fresh confirmation token.
 */
export async function formSigner(
  campaign: { id: string; organisation?: { id: string } },
  input: SignCampaignInput,
  context: RequestContext & { locale: Locale },
  rate: RateLimit & { bucket: string },
): Promise<BatchSigner> {
  const token = generateToken()
  // Sealed with the organisation's key (decision 0040); the keys are in memory after the first
  // signature, so this path stays one statement.
  const seal = await sealerFor(campaign.organisation?.id ?? (await organisationOfCampaign(getDb(), campaign.id)))
  const [ipHash, yesterdaysIpHash] = recentStoredAddressHashes(context.ip)
  const emailDomain = emailDomainOf(input.email)
  const { domain: ruleDomain, disposable } = domainRuleFacts(emailDomain)
  // Verified here, off the statement; spent there, if the campaign is in attack mode.
  const challenge = input.altcha ? await verifySignChallenge(input.altcha) : null
  return {
    campaignId: campaign.id,
    rate,
    fullName: seal(input.fullName),
    email: seal(input.email),
    emailIndex: await emailIndex(input.email),
    country: input.country,
    postcode: input.postcode ? seal(input.postcode.toUpperCase()) : null,
    locale: context.locale,
    consentUpdates: input.consentUpdates === 'on',
    consentShowName: input.consentShowName === 'on',
    tokenHash: hashToken(token),
    ipHash,
    yesterdaysIpHash,
    emailDomain: emailDomain || null,
    ruleDomain,
    disposable,
    idempotencyKey: `signature-confirmation/${crypto.randomUUID()}`,
    token,
    source: input.source ?? null,
    utmSource: input.utmSource ?? null,
    utmMedium: input.utmMedium ?? null,
    utmCampaign: input.utmCampaign ?? null,
    challenge: challenge && challenge.campaignId === campaign.id ? { key: challenge.key, expiresAt: challenge.expiresAt } : null,
  }
}

/**
 * Someone asked again for a signature's email (signing again with the same address, or `Send
 * the email again`): a new confirmation link while it awaits confirmation, else "you have
 * already signed", at most MAX_SENDS_PER_DAY a day. The caller holds the row locked.
 */
export async function emailExistingSignature(tx: Tx, existing: Signature): Promise<SignOutcome> {
  if (existing.state === 'invalidated') return 'ignored'
  if (!(await takeSendAllowance(tx, existing))) return 'throttled'
  if (awaitsConfirmation(existing)) {
    // A fresh token: the newest email's link is the one that works.
    const token = generateToken()
    await tx
      .updateTable('signatures')
      .set({ confirmation_token_hash: hashToken(token), updated_at: sql`now()` })
      .where('id', '=', existing.id)
      .execute()
    await queueSignatureEmail(tx, 'signature-confirmation', { id: existing.id, campaignId: existing.campaign_id, locale: existing.locale }, token)
    return 'resent'
  }
  await queueSignatureEmail(tx, 'already-signed', { id: existing.id, campaignId: existing.campaign_id, locale: existing.locale })
  return 'already-confirmed'
}

/** At most MAX_SENDS_PER_DAY emails per signature in a rolling day window. */
export async function takeSendAllowance(tx: Tx, signature: Signature): Promise<boolean> {
  const result = await tx
    .updateTable('signatures')
    .set({
      sends_in_window: sql`case when send_window_started_at is null or send_window_started_at < now() - interval '24 hours' then 1 else sends_in_window + 1 end`,
      send_window_started_at: sql`case when send_window_started_at is null or send_window_started_at < now() - interval '24 hours' then now() else send_window_started_at end`,
    })
    .where('id', '=', signature.id)
    .where(sql<boolean>`(send_window_started_at is null or send_window_started_at < now() - interval '24 hours' or sends_in_window < ${MAX_SENDS_PER_DAY})`)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Queues a signature's email in the outbox, in the signature's transaction. The confirmation
 * token rides in the queued email's payload until it is rendered (decision 0005); the address is
 * read when it is rendered, so a corrected or removed signer is honoured.
 */
export async function queueSignatureEmail(
  tx: Tx,
  template: 'signature-confirmation' | 'already-signed' | 'signature-thanks',
  signature: { id: string; campaignId: string; locale: string },
  token?: string,
) {
  await queueEmail(tx, {
    template,
    payload: token ? { signatureId: signature.id, token } : { signatureId: signature.id },
    locale: signature.locale,
    signatureId: signature.id,
    campaignId: signature.campaignId,
  })
}

/** The pending signature a confirmation link belongs to, or null when the link is unknown or used. */
export async function getPendingSignatureByToken(token: string) {
  if (!isPlausibleToken(token)) return null
  return (
    (await getDb()
      .selectFrom('signatures')
      .select(['id', 'campaign_id', 'state'])
      .where('confirmation_token_hash', '=', hashToken(token))
      .where(awaitsConfirmationSql())
      .executeTakeFirst()) ?? null
  )
}

export type ConfirmResult =
  { status: 'confirmed'; signatureId: string; campaignId: string; campaignSlug: string } | { status: 'invalid' } | { status: 'closed'; campaignId: string }

/**
 * Confirms the signature a token belongs to. The token is single use; the campaign row is not
 * touched (the counter job folds confirmations into the cached counts).
 */
export async function confirmSignature(token: string): Promise<ConfirmResult> {
  if (!isPlausibleToken(token)) return { status: 'invalid' }
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const signature = await tx
        .selectFrom('signatures as s')
        .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
        .select(['s.id', 's.campaign_id', 's.locale', 's.state', 'c.slug', 'c.status', 'c.opens_at', 'c.closes_at'])
        .where('s.confirmation_token_hash', '=', hashToken(token))
        .where(awaitsConfirmationSql('s'))
        .forUpdate('s')
        .executeTakeFirst()
      if (!signature) return { status: 'invalid' } as const
      if (campaignPhase({ status: signature.status, opensAt: signature.opens_at, closesAt: signature.closes_at }) !== 'open') {
        return { status: 'closed', campaignId: signature.campaign_id } as const
      }
      await tx
        .updateTable('signatures')
        .set({
          // A held signature stays held (uncounted) until a reviewer releases it.
          state: signature.state === 'held' ? 'held' : 'confirmed',
          confirmed_at: sql`now()`,
          confirmation_token_hash: null,
          updated_at: sql`now()`,
        })
        .where('id', '=', signature.id)
        .execute()
      await queueSignatureEmail(tx, 'signature-thanks', { id: signature.id, campaignId: signature.campaign_id, locale: signature.locale })
      return {
        status: 'confirmed',
        signatureId: signature.id,
        campaignId: signature.campaign_id,
        campaignSlug: signature.slug,
      } as const
    })
}

/** The columns a signature's email is built from. */
const FOR_EMAIL_COLUMNS = ['id', 'campaign_id', 'full_name', 'email', 'state', 'confirmed_at', 'locale', 'counted_at'] as const

/** What a signature's email is built from, its name and address opened. */
export type SignatureForEmail = Pick<Signature, (typeof FOR_EMAIL_COLUMNS)[number]>

/**
 * The signatures a batch of emails is built from, by id, in one query however many there are;
 * an id with no signature (removed since, or never a signature id) is absent.
 */
export async function getSignaturesForEmail(signatureIds: Iterable<string>, executor: Executor = getDb()): Promise<Map<string, SignatureForEmail>> {
  const ids = [...new Set(signatureIds)].filter((id) => /^[0-9]{1,18}$/.test(id))
  if (ids.length === 0) return new Map()
  // One array parameter: the same statement (prepared once per connection) for any batch size.
  const rows = await executor
    .selectFrom('signatures')
    .select(FOR_EMAIL_COLUMNS)
    .where(sql<boolean>`id = any(${ids}::bigint[])`)
    .execute()
  const openValue = await openerFor(
    rows.flatMap((row) => [row.full_name, row.email]),
    executor,
  )
  return new Map(rows.map((row) => [row.id, { ...row, full_name: openValue(row.full_name), email: openValue(row.email) }]))
}

export async function getSignatureForEmail(signatureId: string): Promise<SignatureForEmail | null> {
  return (await getSignaturesForEmail([signatureId])).get(signatureId) ?? null
}

function isPlausibleToken(token: string) {
  return /^[A-Za-z0-9_-]{20,100}$/.test(token)
}

/** How long a signature keeps its client-address hash: long enough to review a flood, no longer. */
export const ADDRESS_HASH_DAYS = 30

/**
 * Erases the client-address hashes of signatures older than ADDRESS_HASH_DAYS, in batches of
 * `batchSize` (short transactions beside live signing); returns how many were erased.
 */
export async function eraseOldAddressHashes(days = ADDRESS_HASH_DAYS, batchSize = 5000): Promise<number> {
  let erased = 0
  for (;;) {
    const result = await sql`
      update signatures set ip_hash = null
      where id in (
        select id from signatures
        where ip_hash is not null and created_at < now() - make_interval(days => ${days})
        -- Oldest first: read from signatures_retention_idx, only as far as the batch goes (decision 0049).
        order by created_at
        limit ${batchSize}
        for update skip locked
      )`.execute(getDb())
    const count = Number(result.numAffectedRows ?? 0)
    erased += count
    if (count < batchSize) return erased
  }
}
