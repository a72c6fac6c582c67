import { sql } from 'kysely'
import { getDb } from '~/utils/db.server'
import { getEnv } from '~/utils/env.server'

// The shared rate gate of the sender (email-sender.server.ts): one row that every process reads
// and moves, so together they keep within RESEND_RATE_LIMIT and all hold back after a 429.

/**
 * The shared rate gate: reserves the next request slot for whichever process asks, and returns
 * how long to wait for it. One row, updated atomically, keeps every process together within
 * RESEND_RATE_LIMIT requests a second.
 */
export async function reserveSendSlot(rate = getEnv().RESEND_RATE_LIMIT): Promise<number> {
  const spacing = 1 / rate
  const { rows } = await sql<{ wait_ms: number }>`
    insert into email_send_throttle as t (id, next_at) values (1, clock_timestamp() + make_interval(secs => ${spacing}))
    on conflict (id) do update set next_at = greatest(t.next_at, clock_timestamp()) + make_interval(secs => ${spacing}),
      reason = case when t.next_at > clock_timestamp() then t.reason else null end
    returning greatest(extract(epoch from (next_at - make_interval(secs => ${spacing}) - clock_timestamp())) * 1000, 0)::float8 as wait_ms`.execute(getDb())
  return Math.ceil(rows[0]!.wait_ms)
}

/** Holds every sender back for `ms` (a 429, an outage), with the reason the workspace shows. */
export async function pauseSending(ms: number, reason: string) {
  await sql`insert into email_send_throttle as t (id, next_at, reason) values (1, clock_timestamp() + make_interval(secs => ${ms / 1000}), ${reason})
    on conflict (id) do update set next_at = greatest(t.next_at, clock_timestamp() + make_interval(secs => ${ms / 1000})), reason = ${reason}`.execute(getDb())
}

/** How long the gate is closed from now (0 when open). */
export async function gateWaitMs(): Promise<number> {
  const row = await sql<{
    wait_ms: number
  }>`select greatest(extract(epoch from (next_at - clock_timestamp())) * 1000, 0)::float8 as wait_ms from email_send_throttle where id = 1`.execute(getDb())
  return Math.ceil(row.rows[0]?.wait_ms ?? 0)
}
