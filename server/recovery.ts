import { recordHeartbeat, releaseDeadWorkers, releaseOwnWork } from '../app/models/worker-heartbeat.server'
import { logger } from '../app/utils/logger.server'
import { isDraining, processWorkerId } from '../app/utils/process.server'
import { currentJobWorkerIds } from './job-runner'

// Crash recovery (decision 0026): every process beats in worker_heartbeats and, on
// the same timer, releases what any process silent for longer than `deadAfterSeconds` held.

export interface Recovery {
  /** Stops beating; with `release`, hands back this process's jobs and leases at once. */
  stop(options?: { release?: boolean }): Promise<void>
}

/** A beat every quarter of the timeout (at most 5 s, at least 0.5 s): a dead process is noticed within timeout plus one beat. */
export function heartbeatIntervalMs(deadAfterSeconds: number): number {
  return Math.min(5000, Math.max(500, Math.floor((deadAfterSeconds * 1000) / 4)))
}

export async function startRecovery({ deadAfterSeconds }: { deadAfterSeconds: number }): Promise<Recovery> {
  let running: Promise<void> = Promise.resolve()
  const tick = async () => {
    try {
      await recordHeartbeat({ workerId: processWorkerId(), jobWorkerIds: currentJobWorkerIds(), draining: isDraining() })
      await releaseDeadWorkers(deadAfterSeconds)
    } catch (error) {
      // The database may be briefly away (a failover): the next beat tries again.
      logger.warn({ err: error }, 'heartbeat failed')
    }
  }
  await tick()
  const timer = setInterval(() => {
    running = running.then(tick)
  }, heartbeatIntervalMs(deadAfterSeconds))
  timer.unref()
  logger.info({ workerId: processWorkerId(), deadAfterSeconds }, 'heartbeat started')
  return {
    async stop({ release = true } = {}) {
      clearInterval(timer)
      await running
      if (release) await releaseOwnWork(processWorkerId(), currentJobWorkerIds())
    },
  }
}
