import { spawn } from 'node:child_process'
import path from 'node:path'

// `npm run bench:http`: the production server on loopback, measured from outside: requests per
// second and latency for the campaign page, the public JSON and signing. Bounded in count.
const PORT = Number(process.env.BENCH_PORT ?? 3290)
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32)
const base = `http://127.0.0.1:${PORT}`
const slug = 'chechnya-investigate-now'

const server = spawn(path.resolve('node_modules/.bin/tsx'), ['tests/support/e2e-server.ts'], {
  env: { ...process.env, E2E_PORT: String(PORT), LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
})

async function waitForServer() {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error('the server did not start')
}

async function measure(label: string, request: (i: number) => Promise<Response>) {
  const latencies: number[] = []
  const statuses = new Map<number, number>()
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++
        const t = performance.now()
        const response = await request(i)
        await response.arrayBuffer()
        latencies.push(performance.now() - t)
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1)
  console.log(
    `${label.padEnd(26)} ${Math.round(REQUESTS / seconds)
      .toString()
      .padStart(6)} req/s  p50 ${pct(0.5)} ms  p95 ${pct(0.95)} ms  p99 ${pct(0.99)} ms  statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  )
}

try {
  await waitForServer()
  console.log(`Chorus HTTP bench: ${REQUESTS} requests each, concurrency ${CONCURRENCY}, ${base}`)
  await measure('GET /campaigns/:slug', () => fetch(`${base}/campaigns/${slug}`))
  await measure('GET /api/campaigns/:slug', () => fetch(`${base}/api/campaigns/${slug}`))
  await measure('POST /campaigns/:slug (sign)', (i) =>
    fetch(`${base}/campaigns/${slug}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ fullName: `Bench ${i}`, email: `bench-${Date.now()}-${i}@example.org`, country: 'GB' }),
    }),
  )
} finally {
  server.kill('SIGTERM')
  await new Promise((resolve) => server.on('exit', resolve))
}
