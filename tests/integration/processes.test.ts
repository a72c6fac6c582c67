import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

function start(script: string, env: Record<string, string>) {
  // Without DATABASE_URL: the embedded database path; without NODE_ENV: a local run.
  const { DATABASE_URL: _url, NODE_ENV: _mode, ...inherited } = process.env
  const childEnv = { ...inherited, ...env }
  // As `npm start` and `npm run worker` run it: node itself, so signals reach the process directly.
  const child = spawn(process.execPath, ['--import', 'tsx', script], { env: childEnv as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const waitFor = async (text: string, ms = 60_000) => {
    const until = Date.now() + ms
    while (!output.includes(text)) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`never saw "${text}":\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  return { child, exited, waitFor, output: () => output }
}

describe('the server processes', () => {
  it('npm run worker starts the embedded database, migrates, seeds, runs jobs and stops cleanly on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-worker-'))
    fs.chmodSync(dataDir, 0o755)
    const worker = start('server/worker.ts', { DATA_DIR: dataDir, LOG_LEVEL: 'info' })
    try {
      await worker.waitFor('job runner started')
      expect(worker.output()).toContain('embedded PostgreSQL started')
      expect(worker.output()).toContain('demo content seeded')
      expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(true)
      worker.child.kill('SIGTERM')
      expect(await worker.exited).toBe(0)
      // PostgreSQL removes its pid file when it shuts down cleanly.
      expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false)

      // A second start reuses the data and does not seed twice.
      const again = start('server/worker.ts', { DATA_DIR: dataDir, LOG_LEVEL: 'info' })
      await again.waitFor('job runner started')
      expect(again.output()).not.toContain('demo content seeded')
      again.child.kill('SIGINT')
      expect(await again.exited).toBe(0)
    } finally {
      worker.child.kill('SIGKILL')
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }, 120_000)

  it('refuses to boot with bad configuration, naming each variable', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-config-'))
    const worker = start('server/worker.ts', { DATA_DIR: dataDir, PORT: 'eighty', LOG_LEVEL: 'loud' })
    expect(await worker.exited).toBe(1)
    expect(worker.output()).toContain('Invalid configuration')
    expect(worker.output()).toMatch(/PORT .*number/i)
    expect(worker.output()).toContain('LOG_LEVEL')
    fs.rmSync(dataDir, { recursive: true, force: true })
  })
})
