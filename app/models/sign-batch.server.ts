import { sql } from 'kysely'
import { EMAIL_PRIORITY } from '~/models/email-outbox.server'
import { signatureHoldSql } from '~/models/integrity.server'
import { rateLimitCtes, type RateLimit, type WindowRow } from '~/models/rate-limit.server'
import { executePlanned } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'
import { logger } from '~/utils/logger.server'

// Signatures written in batches (decision 0050): the sign POSTs that arrive while a batch is being
// written wait for the next one, and each batch is ONE statement in one transaction. What a
// statement costs PostgreSQL beyond its rows (the round trip, the executor's start, the commit and
// its WAL flush) is then paid once per batch, not once per signer; a lone signer is written at
// once, with no wait to fill a batch. Every signer keeps the guarantees of the one-signer statement:
// their rate-limit hit, the integrity rules, the signature and its confirmation email are kept or
// lost together, and the statement decides for each signer as if they had signed one after another
// in the order they arrived.

/** One signer, as the statement takes them: sealed, hashed and checked before it runs. */
export interface BatchSigner {
  campaignId: string
  rate: RateLimit & { bucket: string }
  fullName: string
  email: string
  emailIndex: string
  country: string
  postcode: string | null
  locale: string
  consentUpdates: boolean
  consentShowName: boolean
  tokenHash: Buffer
  ipHash: Buffer
  yesterdaysIpHash: Buffer
  /** The domain stored with the signature, and the one the hourly domain rule counts (null: none). */
  emailDomain: string | null
  ruleDomain: string | null
  disposable: boolean
  idempotencyKey: string
  token: string
  source: string | null
  utmSource: string | null
  utmMedium: string | null
  utmCampaign: string | null
  /**
   * The proof-of-work challenge the signer solved for this campaign (verified before the statement),
   * spent by the statement when the campaign is in attack mode; null: none, or not for this campaign.
   */
  challenge: { key: Buffer; expiresAt: Date } | null
}

/** What the statement answers for one signer: their hit, and what became of the signature. */
export interface BatchSignRow extends WindowRow {
  allowed: boolean
  open: boolean
  signature_id: string | null
}

/**
 * Batches written at once by one process: one. While it is in PostgreSQL the next gathers, and
 * within a process signers are decided strictly in the order they arrived (two batches at once
 * would not see each other's signatures when counting for the integrity rules).
 */
const MAX_IN_FLIGHT = 1

interface Waiting {
  signer: BatchSigner
  resolve: (row: BatchSignRow) => void
  reject: (error: unknown) => void
}

let waiting: Waiting[] = []
let inFlight = 0
let scheduled = false

/**
 * Writes one signer with whoever else is signing now, in one statement; resolves with their row.
 * A batch that fails (a deadlock with another process's batch, say) is written again one signer
 * at a time, so one signer's failure is theirs alone.
 */
export function signInBatch(signer: BatchSigner): Promise<BatchSignRow> {
  // SIGN_BATCH_MAX=1: each signer is written alone, at once, as before batches.
  if (getEnv().SIGN_BATCH_MAX === 1) return signOne(signer)
  return new Promise<BatchSignRow>((resolve, reject) => {
    waiting.push({ signer, resolve, reject })
    schedule()
  })
}

function schedule() {
  if (scheduled || inFlight >= MAX_IN_FLIGHT || waiting.length === 0) return
  scheduled = true
  // The signers whose bodies were read in this turn of the event loop join the same batch.
  setImmediate(() => {
    scheduled = false
    const max = getEnv().SIGN_BATCH_MAX
    while (inFlight < MAX_IN_FLIGHT && waiting.length > 0) {
      const batch = waiting.length <= max ? waiting : waiting.slice(0, max)
      waiting = waiting.length <= max ? [] : waiting.slice(max)
      inFlight++
      void writeBatch(batch).finally(() => {
        inFlight--
        schedule()
      })
    }
  })
}

/** How many batches and signers this process has written, and batches written again one by one. */
const counts = { batches: 0, signers: 0, failedBatches: 0 }

export function signBatchCounts(): Readonly<typeof counts> {
  return { ...counts }
}

async function writeBatch(batch: Waiting[]) {
  counts.batches++
  counts.signers += batch.length
  // A signer alone takes the batch's statement too: its plan, made at most once a second, costs
  // PostgreSQL about half what planning the one-signer statement for each run does (decision 0050).
  try {
    const rows = await signBatch(batch.map((item) => item.signer))
    batch.forEach((item, index) => item.resolve(rows[index]!))
    return
  } catch (error) {
    counts.failedBatches++
    logger.warn({ err: error, signers: batch.length }, 'sign batch failed: writing its signers one at a time')
  }
  await Promise.all(batch.map((item) => signOne(item.signer).then(item.resolve, item.reject)))
}

/**
 * One signer's statement (decision 0020): their rate-limit hit, the integrity rules, the new
 * signature and its confirmation email in ONE statement, so one round trip and one transaction
 * keep or lose them together. signBatch does the same for many (or one); this one writes a signer
 * alone when SIGN_BATCH_MAX=1, or each signer of a batch that could not be written. Planned for
 * each run (executePlanned): its signer's values are parameters, which a custom plan is made for (a
 * domain the hourly rule skips, say). Prepared once and planned for any parameters, its counts
 * were seen reading the whole campaign for every signer, a plan made when the table held a few
 * rows.
 */
async function signOne(signer: BatchSigner): Promise<BatchSignRow> {
  const hold = signatureHoldSql(
    {
      campaignId: signer.campaignId,
      emailDomain: signer.emailDomain ?? '',
      ipHash: signer.ipHash,
      yesterdaysIpHash: signer.yesterdaysIpHash,
      channel: 'form',
    },
    { domain: signer.ruleDomain, disposable: signer.disposable },
  )
  const statement = sql<BatchSignRow>`
    with ${rateLimitCtes(signer.rate.bucket, signer.rate)},
    hold as (${hold}),
    -- The campaign open now, checked here whatever the caller read of it a moment ago; its
    -- consent wording's version comes from the row.
    open_campaign as (
      select consent_version from campaigns
      where id = ${signer.campaignId} and status = 'live'
        and (opens_at is null or opens_at <= now()) and (closes_at is null or closes_at > now())
    ),
    -- In attack mode a solved challenge is spent (once: another signer's use of it finds it spent)
    -- by a signer the rate limit lets through; without one the signature is held (decision 0030).
    spent as (
      insert into spent_challenges (signature_hash, expires_at)
      select ${signer.challenge?.key ?? null}::bytea, ${signer.challenge?.expiresAt ?? null}::timestamptz
      from hold, rate_limit, open_campaign
      where ${signer.challenge !== null}::boolean and hold.attack_mode and rate_limit.allowed
      on conflict (signature_hash) do nothing
      returning signature_hash
    ),
    sig as (
      insert into signatures (campaign_id, full_name, email, email_index, country, postcode, locale,
        consent_updates, consent_show_name, consent_version, confirmation_token_hash, ip_hash, email_domain,
        state, hold_reasons, source, utm_source, utm_medium, utm_campaign, sends_in_window, send_window_started_at)
      select ${signer.campaignId}, ${signer.fullName}, ${signer.email}, ${signer.emailIndex}, ${signer.country},
        ${signer.postcode}, ${signer.locale},
        ${signer.consentUpdates}, ${signer.consentShowName}, open_campaign.consent_version,
        ${signer.tokenHash}, ${signer.ipHash}, ${signer.emailDomain},
        case when cardinality(reasons.hold_reasons) > 0 then 'held' else 'pending' end, reasons.hold_reasons,
        ${signer.source}, ${signer.utmSource}, ${signer.utmMedium}, ${signer.utmCampaign}, 1, now()
      from rate_limit, open_campaign, (
        select hold.hold_reasons || case when hold.attack_mode and not exists (select 1 from spent)
          then array['attack_mode']::text[] else array[]::text[] end as hold_reasons
        from hold
      ) reasons
      where rate_limit.allowed
      on conflict on constraint signatures_campaign_email_index_key do nothing
      returning id
    ), mail as (
      -- As queueEmail writes it (decision 0025): the address and subject are read when rendered.
      insert into email_messages (idempotency_key, recipient, subject, template, locale, transport, status, priority,
        payload, signature_id, campaign_id)
      select ${signer.idempotencyKey}, '', '', 'signature-confirmation', ${signer.locale},
        ${getEnv().EMAIL_TRANSPORT}, 'queued', ${EMAIL_PRIORITY.transactional},
        jsonb_build_object('signatureId', sig.id::text, 'token', ${signer.token}::text), sig.id, ${signer.campaignId}
      from sig
    )
    select r.hits, r.previous, r.window_start, r.now, r.allowed, exists (select 1 from open_campaign) as open,
      (select id::text from sig) as signature_id
    from rate_limit r`
  const rows = await executePlanned(statement, 'custom')
  return rows[0]!
}

const hex = (bytes: Buffer) => bytes.toString('hex')

/**
 * The statement for many signers. Each signer's part, in arrival order (`ord`):
 * - the rate-limit hit: each bucket's row is updated once by the batch's hits on it, and a signer's
 *   own count is what it was before the batch plus the hits up to and including theirs;
 * - the integrity rules: the last hour's signatures from the same domain and client address, counted
 *   (capped) in the table, plus the batch's signers before them that the batch inserts;
 * - in attack mode, the signer's solved challenge spent (the first signer carrying it), or the
 *   signature held for want of one;
 * - the signature, inserted only when allowed and the campaign open; of two
 *   signers with one address the first is inserted and the second finds it, as one after the other;
 * - the confirmation email, for each signature inserted.
 * Exported for its tests; signInBatch is the way in.
 */
export async function signBatch(signers: BatchSigner[]): Promise<BatchSignRow[]> {
  const env = getEnv()
  const entries = JSON.stringify(
    signers.map((signer, ord) => ({
      ord,
      campaign_id: signer.campaignId,
      bucket: signer.rate.bucket,
      rate_limit: signer.rate.limit,
      window_seconds: signer.rate.windowSeconds,
      full_name: signer.fullName,
      email: signer.email,
      email_index: signer.emailIndex,
      country: signer.country,
      postcode: signer.postcode,
      locale: signer.locale,
      consent_updates: signer.consentUpdates,
      consent_show_name: signer.consentShowName,
      token_hash: hex(signer.tokenHash),
      ip_hash: hex(signer.ipHash),
      yesterdays_ip_hash: hex(signer.yesterdaysIpHash),
      email_domain: signer.emailDomain,
      rule_domain: signer.ruleDomain,
      disposable: signer.disposable,
      idempotency_key: signer.idempotencyKey,
      token: signer.token,
      source: signer.source,
      utm_source: signer.utmSource,
      utm_medium: signer.utmMedium,
      utm_campaign: signer.utmCampaign,
      challenge_key: signer.challenge ? hex(signer.challenge.key) : null,
      challenge_expires_at: signer.challenge?.expiresAt.toISOString() ?? null,
    })),
  )
  const statement = sql<BatchSignRow & { ord: number }>`
    with e as (
      select * from jsonb_to_recordset(${entries}::jsonb) as e(ord int, campaign_id bigint, bucket text, rate_limit int,
        window_seconds int, full_name text, email text, email_index text, country text, postcode text, locale text,
        consent_updates boolean, consent_show_name boolean, token_hash text, ip_hash text, yesterdays_ip_hash text,
        email_domain text, rule_domain text, disposable boolean, idempotency_key text, token text, source text,
        utm_source text, utm_medium text, utm_campaign text, challenge_key text, challenge_expires_at timestamptz)
    ), bucket_hits as (
      -- An upsert may touch a row once per statement: each bucket's hits in this batch, together.
      select bucket, window_seconds, count(*)::int as n,
        to_timestamp(floor(extract(epoch from now()) / window_seconds) * window_seconds) as window_start
      from e group by bucket, window_seconds
    ), rate_hit as (
      insert into rate_limits (bucket, window_start, hits)
      select bucket, window_start, n from bucket_hits order by bucket, window_start
      on conflict (bucket, window_start) do update set hits = rate_limits.hits + excluded.hits
      returning bucket, window_start, hits
    ), rate as (
      select e.ord, h.hits - b.n + (row_number() over (partition by e.bucket, e.window_seconds order by e.ord))::int as hits,
        h.window_start, now() as now, e.rate_limit, e.window_seconds,
        coalesce((
          select r.hits from rate_limits r
          where r.bucket = e.bucket and r.window_start = h.window_start - make_interval(secs => e.window_seconds)
        ), 0) as previous
      from e
      join bucket_hits b on b.bucket = e.bucket and b.window_seconds = e.window_seconds
      join rate_hit h on h.bucket = b.bucket and h.window_start = b.window_start
    ), c as (
      -- Each campaign as the rules and the signature need it, open or not checked now.
      select id, attack_mode_started_at is not null as attack_mode,
        coalesce(integrity_hold_disposable, ${env.INTEGRITY_HOLD_DISPOSABLE}) as hold_disposable,
        coalesce(integrity_domain_hourly_limit, ${env.INTEGRITY_DOMAIN_HOURLY_LIMIT}) as domain_limit,
        coalesce(integrity_address_hourly_limit, ${env.INTEGRITY_ADDRESS_HOURLY_LIMIT}) as address_limit,
        case when status = 'live' and (opens_at is null or opens_at <= now()) and (closes_at is null or closes_at > now())
          then consent_version end as open_consent_version
      from campaigns where id = any(array(select distinct campaign_id from e))
    ), decided as (
      select e.*, r.hits, r.previous, r.window_start, r.now,
        r.hits + r.previous * (1 - least(1, greatest(0, extract(epoch from r.now - r.window_start) / r.window_seconds))) <= r.rate_limit as allowed,
        c.attack_mode, c.open_consent_version, c.hold_disposable, c.domain_limit, c.address_limit
      from e join rate r on r.ord = e.ord left join c on c.id = e.campaign_id
    ), claims as (
      -- In attack mode a solved challenge is spent by the first signer of the batch who carries it
      -- and may sign; a later one, here or in another statement, finds it spent (decision 0030).
      select distinct on (challenge_key) ord, challenge_key, challenge_expires_at
      from decided
      where challenge_key is not null and attack_mode and allowed and open_consent_version is not null
      order by challenge_key, ord
    ), spent as (
      insert into spent_challenges (signature_hash, expires_at)
      select decode(challenge_key, 'hex'), challenge_expires_at from claims order by challenge_key
      on conflict (signature_hash) do nothing
      returning signature_hash
    ), eligible as (
      select d.*, d.allowed and d.open_consent_version is not null as may_insert,
        d.attack_mode and not exists (
          select 1 from claims k join spent p on p.signature_hash = decode(k.challenge_key, 'hex') where k.ord = d.ord
        ) as challenge_missing
      from decided d
    ), firsts as (
      -- The first signer of an address that may be inserted is; a later one finds theirs.
      select f.*, f.may_insert and row_number() over (partition by f.campaign_id, f.email_index, f.may_insert order by f.ord) = 1 as first_of_key
      from eligible f
    ), inserting as (
      -- Lateral, so that each looks its address up in the index: as a subquery, PostgreSQL may
      -- hash the whole table's addresses instead.
      select f.*, f.first_of_key and found.id is null as inserts
      from firsts f
      left join lateral (
        select s.id from signatures s where s.campaign_id = f.campaign_id and s.email_index = f.email_index limit 1
      ) found on true
    ), held as (
      select i.*, array_remove(array[
          case when i.hold_disposable and i.disposable then 'disposable' end,
          case when i.rule_domain is not null and (
            (select count(*)::int from (
              select 1 from signatures
              where campaign_id = i.campaign_id and email_domain = i.rule_domain and created_at > now() - interval '1 hour'
              order by created_at desc
              limit i.domain_limit
            ) d)
            + count(*) filter (where i.inserts) over (partition by i.campaign_id, i.rule_domain order by i.ord rows between unbounded preceding and 1 preceding)
          ) >= i.domain_limit then 'domain_rate' end,
          case when (
            -- Today's hash and yesterday's counted apart: each an equality the address index
            -- serves (see integrity.server.ts).
            (select count(*)::int from (
              select 1 from signatures
              where campaign_id = i.campaign_id and ip_hash = decode(i.ip_hash, 'hex') and created_at > now() - interval '1 hour'
              limit i.address_limit
            ) a)
            + (select count(*)::int from (
              select 1 from signatures
              where campaign_id = i.campaign_id and ip_hash = decode(i.yesterdays_ip_hash, 'hex') and i.yesterdays_ip_hash <> i.ip_hash
                and created_at > now() - interval '1 hour'
              limit i.address_limit
            ) y)
            + count(*) filter (where i.inserts) over (partition by i.campaign_id, i.ip_hash order by i.ord rows between unbounded preceding and 1 preceding)
          ) >= i.address_limit then 'address_rate' end,
          case when i.challenge_missing then 'attack_mode' end
        ]::text[], null) as hold_reasons
      from inserting i
    ), sig as (
      insert into signatures (campaign_id, full_name, email, email_index, country, postcode, locale,
        consent_updates, consent_show_name, consent_version, confirmation_token_hash, ip_hash, email_domain,
        state, hold_reasons, source, utm_source, utm_medium, utm_campaign, sends_in_window, send_window_started_at)
      select campaign_id, full_name, email, email_index, country, postcode, locale,
        consent_updates, consent_show_name, open_consent_version, decode(token_hash, 'hex'), decode(ip_hash, 'hex'), email_domain,
        case when cardinality(hold_reasons) > 0 then 'held' else 'pending' end, hold_reasons,
        source, utm_source, utm_medium, utm_campaign, 1, now()
      from held where may_insert
      order by campaign_id, email_index, ord
      on conflict on constraint signatures_campaign_email_index_key do nothing
      returning id, campaign_id, email_index
    ), mine as (
      select h.ord, s.id from sig s join held h on h.campaign_id = s.campaign_id and h.email_index = s.email_index and h.first_of_key
    ), mail as (
      -- As queueEmail writes it (decision 0025): the address and subject are read when rendered.
      insert into email_messages (idempotency_key, recipient, subject, template, locale, transport, status, priority,
        payload, signature_id, campaign_id)
      select h.idempotency_key, '', '', 'signature-confirmation', h.locale, ${env.EMAIL_TRANSPORT}, 'queued', ${EMAIL_PRIORITY.transactional},
        jsonb_build_object('signatureId', m.id::text, 'token', h.token), m.id, h.campaign_id
      from mine m join held h on h.ord = m.ord
    )
    select h.ord, h.hits, h.previous, h.window_start, h.now, h.allowed, h.open_consent_version is not null as open,
      m.id::text as signature_id
    from held h left join mine m on m.ord = h.ord
    order by h.ord`
  // One plan for any batch, made again each second with the table as it is then (executePlanned's
  // `fresh-generic`). The signers' values reach the planner as rows of one jsonb parameter, never
  // as values it could plan for, so a plan made for this batch's parameters (2.5-4 ms of planning
  // for every batch) is no better than one made for any: what the plan must follow is the table,
  // which in a surge grows faster than ANALYZE runs.
  const rows = await executePlanned(statement, 'fresh-generic')
  if (rows.length !== signers.length || rows.some((row, index) => row.ord !== index)) {
    throw new Error(`sign batch answered ${rows.length} rows for ${signers.length} signers`)
  }
  return rows
}
