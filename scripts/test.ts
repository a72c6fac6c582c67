import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

// `npm test`: formatting, lint, type-check, then unit and integration tests (Vitest, real PostgreSQL), then the
// browser stories (Playwright, Debian's Chromium, JavaScript on and off). Stops at the first failure.
const reports = path.resolve('.cache/test-reports')
fs.mkdirSync(reports, { recursive: true })
const bin = (name: string) => path.resolve('node_modules/.bin', name)

function step(label: string, command: string, args: string[], env: Record<string, string> = {}) {
  console.log(`\n▶ ${label}`)
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  if (result.status !== 0) {
    console.error(`\n✖ ${label} failed`)
    process.exit(result.status ?? 1)
  }
}

step('Format check (Prettier)', bin('prettier'), ['--check', '.'])
step('Lint (layers, import cycles, hooks)', bin('eslint'), ['.'])
step('Type check', bin('tsc'), ['--noEmit'])
step('Unit and integration tests', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${path.join(reports, 'vitest.json')}`])
step('Browser tests', bin('playwright'), ['test', '--reporter=list,json'], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(reports, 'playwright.json'),
})

const vitest = JSON.parse(fs.readFileSync(path.join(reports, 'vitest.json'), 'utf8'))
const playwright = JSON.parse(fs.readFileSync(path.join(reports, 'playwright.json'), 'utf8'))
const passed = vitest.numPassedTests + playwright.stats.expected
const failed = vitest.numFailedTests + playwright.stats.unexpected + playwright.stats.flaky
console.log(`\ntests: ${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
