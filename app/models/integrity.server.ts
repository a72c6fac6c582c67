import { createChallenge, randomInt, verifySolution, type Challenge, type Solution } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/sha'
import { sql } from 'kysely'
import MailChecker from 'mailchecker'
import crypto from 'node:crypto'
import type { HoldReason } from '#db/types'
import { recordAudit } from '~/models/audit.server'
import { getDb, type Executor, type Tx } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'
import { isLargeMailProvider } from '~/utils/mail-providers'
import { purposeSecret } from '~/utils/security.server'

// The integrity rules (decision 0030): a signature that trips one is stored `held`
// with its reasons; the signer is answered exactly as anyone else.

/** Whether an address's domain belongs to a disposable-address service (mailchecker's maintained list). */
export function isDisposableDomain(domain: string): boolean {
  if (!domain) return false
  return !MailChecker.isValid(`someone@${domain}`) && MailChecker.isValid('someone@example.org')
}

export interface SignatureFacts {
  campaignId: string
  emailDomain: string
  /** The client address's hash as stored today, and as yesterday's key made it (the last hour may cross midnight). */
  ipHash: Buffer
  yesterdaysIpHash?: Buffer
  /** 'api': an integration's server signs for many people, so the per-address and challenge rules do not apply. */
  channel: 'form' | 'api'
  /** The proof-of-work payload the form carried, verified (or not) before the transaction. */
  challenge: VerifiedChallenge | null
}

/**
 * What the rules need of an address's domain: the domain the hourly domain rule counts (null for
 * a large provider, which never trips it, so counting is skipped by matching nothing) and whether
 * it is a disposable-address service.
 */
export function domainRuleFacts(emailDomain: string): { domain: string | null; disposable: boolean } {
  return { domain: emailDomain && !isLargeMailProvider(emailDomain) ? emailDomain : null, disposable: isDisposableDomain(emailDomain) }
}

/**
 * The integrity rules as one read-only query of one row: whether the campaign is in attack mode,
 * and the reasons (other than attack mode) to hold a new signature. It reads the campaign's
 * settings and counts (capped, over indexes) the last hour's signatures from the same domain and
 * client address, whatever the outcome, so a held signature costs the same as any other. Usable
 * as a CTE of the one-signer statement (sign-batch.server.ts) or on its own (assessSignature). `rule` is
 * domainRuleFacts of the address's domain, for a caller that has worked it out already.
 */
export function signatureHoldSql(facts: Omit<SignatureFacts, 'challenge'>, rule: ReturnType<typeof domainRuleFacts> = domainRuleFacts(facts.emailDomain)) {
  const env = getEnv()
  const { domain, disposable } = rule
  return sql<{ attack_mode: boolean; hold_reasons: HoldReason[] }>`
    with c as (
      select attack_mode_started_at is not null as attack_mode,
             coalesce(integrity_hold_disposable, ${env.INTEGRITY_HOLD_DISPOSABLE}) as hold_disposable,
             coalesce(integrity_domain_hourly_limit, ${env.INTEGRITY_DOMAIN_HOURLY_LIMIT}) as domain_limit,
             coalesce(integrity_address_hourly_limit, ${env.INTEGRITY_ADDRESS_HOURLY_LIMIT}) as address_limit
      from campaigns where id = ${facts.campaignId}
    ), counted as (
      select c.*,
        (select count(*)::int from (
          select 1 from signatures
          where campaign_id = ${facts.campaignId} and email_domain = ${domain} and created_at > now() - interval '1 hour'
          -- Newest first, an order an index gives and a sequential scan would have to sort: a
          -- plan made with the statistics of a moment (the statement is prepared) then reads the
          -- domain index, not the whole table (decision 0050).
          order by created_at desc
          limit (select domain_limit from c)
        ) d) as domain_recent,
        -- Today's hash and yesterday's counted apart, each an equality: with \`ip_hash in (a, b)\`
        -- PostgreSQL chose (campaign_id, created_at) whenever its statistics lagged behind a surge
        -- (they always do: every new row is newer than the last ANALYZE saw), and read every
        -- signature of the last hour for each new one.
        (select count(*)::int from (
          select 1 from signatures
          where campaign_id = ${facts.campaignId} and ip_hash = ${facts.ipHash} and created_at > now() - interval '1 hour'
          limit (select address_limit from c)
        ) a)
        + (select count(*)::int from (
          select 1 from signatures
          where campaign_id = ${facts.campaignId} and ip_hash = ${facts.yesterdaysIpHash ?? facts.ipHash} and ${facts.yesterdaysIpHash !== undefined && !facts.yesterdaysIpHash.equals(facts.ipHash)}::boolean
            and created_at > now() - interval '1 hour'
          limit (select address_limit from c)
        ) y) as address_recent
      from c
    )
    select attack_mode, array_remove(array[
        case when hold_disposable and ${disposable}::boolean then 'disposable' end,
        case when ${domain}::text is not null and domain_recent >= domain_limit then 'domain_rate' end,
        case when ${facts.channel === 'form'}::boolean and address_recent >= address_limit then 'address_rate' end
      ]::text[], null) as hold_reasons
    from counted`
}

/** Decides, inside the sign transaction, whether a new signature is held and why. */
export async function assessSignature(tx: Tx, facts: SignatureFacts): Promise<HoldReason[]> {
  const { rows } = await signatureHoldSql(facts).execute(tx)
  const row = rows[0]
  if (!row) return []
  const reasons: HoldReason[] = [...row.hold_reasons]
  if (facts.channel === 'form' && row.attack_mode && !(await spendChallenge(tx, facts.campaignId, facts.challenge))) {
    reasons.push('attack_mode')
  }
  return reasons
}

// --- Proof-of-work challenges (ALTCHA) -------------------------------------------------------

const CHALLENGE_TTL_SECONDS = 10 * 60

function challengeSecrets() {
  return { hmacSignatureSecret: purposeSecret('altcha-signature'), hmacKeySignatureSecret: purposeSecret('altcha-key') }
}

/** A fresh challenge for one campaign's sign form; the browser's widget solves it. */
export async function createSignChallenge(campaignId: string): Promise<Challenge> {
  const max = getEnv().INTEGRITY_CHALLENGE_MAX_NUMBER
  return await createChallenge({
    algorithm: 'SHA-256',
    cost: 1,
    counter: randomInt(Math.min(1000, max - 1), max),
    deriveKey,
    expiresAt: new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000),
    data: { campaign: campaignId },
    ...challengeSecrets(),
  })
}

export interface VerifiedChallenge {
  campaignId: string
  /** Identifies the solved challenge, so it is spent once. */
  key: Buffer
  expiresAt: Date
}

/**
 * Checks the widget's payload (base64 JSON of challenge and solution): signed by us, unexpired,
 * solved. Null when it is missing or wrong; never throws on bad input.
 */
export async function verifySignChallenge(payload: string | undefined): Promise<VerifiedChallenge | null> {
  if (!payload || payload.length > 8000) return null
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { challenge?: Challenge; solution?: Solution }
    const challenge = parsed.challenge
    if (!challenge?.parameters || !challenge.signature || !parsed.solution) return null
    const result = await verifySolution({ challenge, solution: parsed.solution, deriveKey, ...challengeSecrets() })
    const campaignId = challenge.parameters.data?.campaign
    if (!result.verified || typeof campaignId !== 'string') return null
    const expiresAt = new Date((challenge.parameters.expiresAt ?? Date.now() / 1000 + CHALLENGE_TTL_SECONDS) * 1000)
    return { campaignId, key: crypto.createHash('sha256').update(challenge.signature).digest(), expiresAt }
  } catch {
    return null
  }
}

/** True when the challenge was solved for this campaign and not used before; marks it used. */
async function spendChallenge(tx: Tx, campaignId: string, challenge: VerifiedChallenge | null): Promise<boolean> {
  if (!challenge || challenge.campaignId !== campaignId) return false
  const spent = await tx
    .insertInto('spent_challenges')
    .values({ signature_hash: challenge.key, expires_at: challenge.expiresAt })
    .onConflict((oc) => oc.column('signature_hash').doNothing())
    .returning('signature_hash')
    .executeTakeFirst()
  return spent !== undefined
}

export async function pruneSpentChallenges(executor: Executor = getDb()): Promise<number> {
  const result = await executor
    .deleteFrom('spent_challenges')
    .where('expires_at', '<', sql<Date>`now()`)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

// --- Attack mode ---------------------------------------------------------------------------

export interface AttackModeChange {
  campaignId: string
  started: boolean
  recentRate: number
  usualRate: number
}

/**
 * Compares each live campaign's signatures per minute over the last 10 minutes with its usual
 * rate (the day before, up to an hour ago or the start of attack mode) and switches attack mode
 * on or off. Only attack mode this started ends by itself; a campaigner's stays until switched off.
 * Every start and end is audited.
 */
export async function detectSigningSurges(): Promise<AttackModeChange[]> {
  const env = getEnv()
  return await getDb()
    .transaction()
    .execute(async (tx) => {
      const { rows } = await sql<{
        id: string
        organisation_id: string
        in_attack: boolean
        origin: 'auto' | 'manual' | null
        started_at: Date | null
        recent: number
        usual: number
      }>`
        with live as (
          select id, organisation_id, attack_mode_started_at, attack_mode_origin,
                 least(coalesce(attack_mode_started_at, now()), now() - interval '1 hour') as usual_until
          from campaigns where status = 'live'
          for update
        )
        select l.id, l.organisation_id, l.attack_mode_started_at is not null as in_attack,
               l.attack_mode_origin as origin, l.attack_mode_started_at as started_at,
               (select count(*) from signatures s where s.campaign_id = l.id and s.created_at > now() - interval '10 minutes')::float8 / 10 as recent,
               (select count(*) from signatures s where s.campaign_id = l.id and s.created_at > now() - interval '1 day' and s.created_at <= l.usual_until)::float8
                 / greatest(extract(epoch from l.usual_until - (now() - interval '1 day')) / 60, 1) as usual
        from live l`.execute(tx)
      const changes: AttackModeChange[] = []
      for (const row of rows) {
        const surging = row.recent >= env.INTEGRITY_ATTACK_MIN_RATE && row.recent >= env.INTEGRITY_ATTACK_MULTIPLIER * row.usual
        if (!row.in_attack && surging) {
          await setAttackMode(tx, { id: row.id, organisationId: row.organisation_id }, true, 'auto', null, { recentRate: row.recent, usualRate: row.usual })
          changes.push({ campaignId: row.id, started: true, recentRate: row.recent, usualRate: row.usual })
        } else if (row.in_attack && row.origin === 'auto' && !surging) {
          await setAttackMode(tx, { id: row.id, organisationId: row.organisation_id }, false, 'auto', null, { recentRate: row.recent, usualRate: row.usual })
          changes.push({ campaignId: row.id, started: false, recentRate: row.recent, usualRate: row.usual })
        }
      }
      for (const change of changes) logger.info({ attackMode: change }, change.started ? 'attack mode started' : 'attack mode ended')
      return changes
    })
}

/**
 * Switches a campaign's attack mode, audited. `userId` null: Chorus itself (the surge detector).
 * Returns false when it was already in that state.
 */
export async function setAttackMode(
  executor: Executor,
  campaign: { id: string; organisationId: string },
  on: boolean,
  origin: 'auto' | 'manual',
  userId: string | null,
  rates?: { recentRate: number; usualRate: number },
): Promise<boolean> {
  const result = await executor
    .updateTable('campaigns')
    .set(on ? { attack_mode_started_at: sql`now()`, attack_mode_origin: origin } : { attack_mode_started_at: null, attack_mode_origin: null })
    .where('id', '=', campaign.id)
    .where('attack_mode_started_at', on ? 'is' : 'is not', null)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0) return false
  await recordAudit(
    executor,
    { user: userId ? { id: userId } : null, organisation: { id: campaign.organisationId } },
    {
      action: on ? 'campaign.attack_mode_started' : 'campaign.attack_mode_ended',
      subjectType: 'campaign',
      subjectId: campaign.id,
      changes: {
        origin,
        ...(rates ? { recentPerMinute: Math.round(rates.recentRate * 10) / 10, usualPerMinute: Math.round(rates.usualRate * 100) / 100 } : {}),
      },
    },
  )
  return true
}

/** A campaigner switches attack mode on or off (audited); false when it already was. */
export async function switchAttackMode(campaign: { id: string; organisationId: string }, on: boolean, userId: string): Promise<boolean> {
  return await getDb()
    .transaction()
    .execute(async (tx) => await setAttackMode(tx, campaign, on, 'manual', userId))
}

/** Whether a campaign is in attack mode (its sign form then asks for a challenge). */
export async function isInAttackMode(campaignId: string): Promise<boolean> {
  const row = await getDb().selectFrom('campaigns').select('attack_mode_started_at').where('id', '=', campaignId).executeTakeFirst()
  return row?.attack_mode_started_at != null
}
