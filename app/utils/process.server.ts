import crypto from 'node:crypto'
import os from 'node:os'

// This process's identity in worker_heartbeats and on the leases it takes, and whether it is
// draining for a shutdown (decision 0026).

const globalForProcess = globalThis as unknown as { __chorusProcess?: { id: string; draining: boolean } }

function state() {
  if (!globalForProcess.__chorusProcess) {
    globalForProcess.__chorusProcess = { id: `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`, draining: false }
  }
  return globalForProcess.__chorusProcess
}

export function processWorkerId(): string {
  return state().id
}

/** True once a SIGTERM asked this process to stop: no new work, /healthz answers 503. */
export function isDraining(): boolean {
  return state().draining
}

export function startDraining() {
  state().draining = true
}
