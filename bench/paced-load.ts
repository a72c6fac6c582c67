import http from 'node:http'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export interface PacedRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string
}

export interface PacedResult {
  offered: number
  answered: number
  /** Answers a second, from the first request's due time to the last answer. */
  rate: number
  statuses: Record<string, number>
  errors: number
  /** The errors by their code (ECONNRESET, say): a connection that failed, not an answer. */
  errorCodes: Record<string, number>
  p50: number
  p99: number
  max: number
}

export interface PacedOptions {
  base: string
  rate: number
  seconds: number
  connections: number
  request: (index: number) => PacedRequest
}

/**
 * pacedLoad in a process of its own, with the requests made beforehand: what else the bench's
 * process does meanwhile (its fake Resend parsing a hundred emails a request, say) then delays
 * neither a request going out nor the reading of an answer, so the latencies are the server's
 * and the network's, not the bench's.
 */
export async function pacedLoadApart(options: PacedOptions): Promise<PacedResult> {
  const { request, ...rest } = options
  const requests = Array.from({ length: Math.round(options.rate * options.seconds) }, (_, index) => request(index))
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' })
  try {
    return await new Promise<PacedResult>((resolve, reject) => {
      child.once('message', (result) => resolve(result as PacedResult))
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`the paced load's process exited with ${code}`)))
      child.send({ ...rest, requests })
    })
  } finally {
    child.kill()
  }
}

// Run by pacedLoadApart: one load, then its result back to the parent.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (message) => {
    const { requests, ...rest } = message as Omit<PacedOptions, 'request'> & { requests: PacedRequest[] }
    void pacedLoad({ ...rest, request: (index) => requests[index]! }).then((result) => process.send!(result))
  })
}

/**
 * Offers requests at a fixed rate, evenly spaced: an open loop, in which a slow answer does not
 * delay the next request, over at most `connections` kept-alive connections. Each latency counts
 * from the moment its request was due, so waiting for a free connection counts too (no coordinated
 * omission). autocannon's `overallRate` is not this: each of its connections sends its share of a
 * second as fast as it is answered and then waits for the next second, so the whole second's
 * requests arrive at once at the top of every second, and its latencies measure those bursts.
 */
export async function pacedLoad(options: PacedOptions): Promise<PacedResult> {
  const { hostname, port } = new URL(options.base)
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections })
  const total = Math.round(options.rate * options.seconds)
  const interval = 1000 / options.rate
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  let errors = 0
  const errorCodes: Record<string, number> = {}
  let lastAnswer = 0
  const pending: Promise<void>[] = []

  const send = (index: number, due: number) =>
    new Promise<void>((resolve) => {
      const { method, path, headers, body } = options.request(index)
      const request = http.request({ agent, host: hostname, port, method, path, headers }, (response) => {
        response.resume()
        response.on('end', () => {
          lastAnswer = performance.now()
          latencies.push(lastAnswer - due)
          statuses[response.statusCode!] = (statuses[response.statusCode!] ?? 0) + 1
          resolve()
        })
      })
      request.on('error', (error: NodeJS.ErrnoException) => {
        errors++
        const code = error.code ?? error.name
        errorCodes[code] = (errorCodes[code] ?? 0) + 1
        resolve()
      })
      request.end(body)
    })

  const start = performance.now()
  let next = 0
  while (next < total) {
    const now = performance.now()
    // Every request now due goes out; the loop then sleeps until the next one is.
    while (next < total && start + next * interval <= now) {
      pending.push(send(next, start + next * interval))
      next++
    }
    // A timer, never a spin on setImmediate: spinning until the next request fell due took the
    // bench's process up to half a core at 500/s, on the machine the server shares with it. A
    // timer may fire up to a millisecond late; that lateness counts in the latency (it is
    // measured from the due time), against the server, never for it.
    const wait = start + next * interval - performance.now()
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(wait))))
  }
  await Promise.all(pending)
  agent.destroy()

  latencies.sort((a, b) => a - b)
  const at = (q: number) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!) : NaN)
  return {
    offered: total,
    answered: latencies.length,
    rate: latencies.length / ((lastAnswer - start) / 1000),
    statuses,
    errors,
    errorCodes,
    p50: at(0.5),
    p99: at(0.99),
    max: Math.round(latencies.at(-1) ?? NaN),
  }
}
