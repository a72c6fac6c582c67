import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { getDb } from '~/utils/db.server'

// WEB_CONCURRENCY starts that many web processes sharing the port (node:cluster), one
// of them with the job runner, each with its own heartbeat (decision 0001, 0026). The primary is
// `node --import tsx server/start.ts`, as `npm start` runs it, over a stub build of one route.

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** One request on its own connection, so the primary hands it to any of its processes. */
function getPid(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/pid', agent: false, headers: { Connection: 'close' } }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve(body))
      })
      .on('error', reject)
  })
}

describe('WEB_CONCURRENCY', () => {
  it('with 2, two web processes answer on one port, one runs the jobs, and SIGTERM stops them all with exit 0', async () => {
    fs.mkdirSync('.cache', { recursive: true })
    const buildDir = fs.mkdtempSync(path.resolve('.cache', 'test-build-cluster-'))
    fs.mkdirSync(path.join(buildDir, 'server'), { recursive: true })
    fs.writeFileSync(
      path.join(buildDir, 'server', 'index.js'),
      `import { stubBuild } from ${JSON.stringify(pathToFileURL(path.resolve('tests/support/stub-build.ts')).href)}
const build = stubBuild({ pid: async () => new Response(String(process.pid)) })
export const { mode, entry, routes, assets, assetsBuildDirectory, publicPath, future, isSpaMode, basename } = build
`,
    )
    const port = await freePort()
    const primary = spawn(process.execPath, ['--import', 'tsx', 'server/start.ts'], {
      env: { ...process.env, CHORUS_BUILD_DIR: buildDir, WEB_CONCURRENCY: '2', PORT: String(port), LOG_LEVEL: 'info', WORKER: 'on' } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    primary.stdout.on('data', (chunk) => (output += chunk))
    primary.stderr.on('data', (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => primary.on('exit', (code) => resolve(code)))
    try {
      const until = Date.now() + 90_000
      while ((output.match(/"msg":"Chorus is running"/g) ?? []).length < 2) {
        if (Date.now() > until || primary.exitCode !== null) throw new Error(`the web processes never started:\n${output}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(output).toContain('(2 web processes)')
      const pids = new Set<string>()
      for (let i = 0; i < 100 && pids.size < 2; i++) pids.add(await getPid(port))
      expect(pids.size).toBe(2)
      expect(pids.has(String(primary.pid))).toBe(false)

      // Each beats; only one holds graphile-worker's workers.
      let beats: { pid: number; job_worker_ids: string[] }[] = []
      for (let i = 0; i < 100; i++) {
        beats = await getDb().selectFrom('worker_heartbeats').select(['pid', 'job_worker_ids']).execute()
        if (beats.length === 2) break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(new Set(beats.map((b) => String(b.pid)))).toEqual(pids)
      expect(beats.filter((b) => b.job_worker_ids.length > 0)).toHaveLength(1)

      primary.kill('SIGTERM')
      expect(await exited).toBe(0)
      expect(output.match(/work finished, stopping/g) ?? []).toHaveLength(2)
    } finally {
      primary.kill('SIGKILL')
      fs.rmSync(buildDir, { recursive: true, force: true })
    }
  }, 150_000)
})
