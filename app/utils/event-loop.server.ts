import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { logger } from '~/utils/logger.server'

/** A stall longer than this makes /healthz answer 503 (for BLOCKED_REPORT_MS after it ended). */
export const BLOCKED_MS = 1000
/** Stalls longer than this are logged. */
export const SLOW_LOOP_MS = 200
const SAMPLE_MS = 100
/** The histogram's percentiles cover about this long. */
const HISTOGRAM_WINDOW_SAMPLES = 20
const BLOCKED_REPORT_MS = 30_000

interface Watchdog {
  histogram: IntervalHistogram
  timer: NodeJS.Timeout
  lastTick: number
  recentMaxMs: number
  recentP99Ms: number
  blockedAt: number | null
  blockedForMs: number
  samples: number
}

const globalForWatchdog = globalThis as unknown as { __chorusLoopWatchdog?: Watchdog }

/**
 * Measures event-loop delay (perf_hooks.monitorEventLoopDelay) and, every 100 ms, how late
 * its own timer fired: one long synchronous task (a runaway parser, a pathological regex) shows up
 * as one late tick. Logged when high; read by /healthz. Idempotent; the timer never keeps the
 * process alive.
 */
export function startEventLoopWatchdog() {
  if (globalForWatchdog.__chorusLoopWatchdog) return
  const histogram = monitorEventLoopDelay({ resolution: 20 })
  histogram.enable()
  const state: Watchdog = {
    histogram,
    lastTick: performance.now(),
    recentMaxMs: 0,
    recentP99Ms: 0,
    blockedAt: null,
    blockedForMs: 0,
    samples: 0,
    timer: setInterval(() => sample(state), SAMPLE_MS),
  }
  state.timer.unref()
  globalForWatchdog.__chorusLoopWatchdog = state
}

export function stopEventLoopWatchdog() {
  const state = globalForWatchdog.__chorusLoopWatchdog
  if (!state) return
  clearInterval(state.timer)
  state.histogram.disable()
  globalForWatchdog.__chorusLoopWatchdog = undefined
}

function sample(state: Watchdog) {
  const now = performance.now()
  const lateMs = Math.max(0, now - state.lastTick - SAMPLE_MS)
  state.lastTick = now
  const maxMs = Math.max(lateMs, state.histogram.max / 1e6)
  state.recentMaxMs = Math.round(maxMs)
  state.recentP99Ms = Math.round(state.histogram.percentile(99) / 1e6)
  if (++state.samples % HISTOGRAM_WINDOW_SAMPLES === 0) state.histogram.reset()
  noteDelay(state, lateMs)
}

function noteDelay(state: Watchdog, delayMs: number) {
  if (delayMs > BLOCKED_MS) {
    state.blockedAt = Date.now()
    state.blockedForMs = Math.round(delayMs)
  }
  if (delayMs > SLOW_LOOP_MS) {
    logger[delayMs > BLOCKED_MS ? 'error' : 'warn']({ eventLoopDelayMs: Math.round(delayMs) }, 'event loop blocked')
  }
}

export interface EventLoopHealth {
  /** True while the loop is (or within the last 30 s was) stalled for more than a second. */
  blocked: boolean
  delayMs: number
  p99Ms: number
  lastBlockedMs: number | null
}

export function eventLoopHealth(): EventLoopHealth {
  const state = globalForWatchdog.__chorusLoopWatchdog
  if (!state) return { blocked: false, delayMs: 0, p99Ms: 0, lastBlockedMs: null }
  // A tick overdue right now counts too (the loop is free again, but only just).
  const overdueMs = Math.max(0, performance.now() - state.lastTick - SAMPLE_MS)
  if (overdueMs > BLOCKED_MS) noteDelay(state, overdueMs)
  const blocked = state.blockedAt !== null && Date.now() - state.blockedAt < BLOCKED_REPORT_MS
  return {
    blocked,
    delayMs: Math.max(state.recentMaxMs, Math.round(overdueMs)),
    p99Ms: state.recentP99Ms,
    lastBlockedMs: blocked ? state.blockedForMs : null,
  }
}
