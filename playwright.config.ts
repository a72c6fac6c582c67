import { defineConfig, devices } from '@playwright/test'

const port = Number(process.env.E2E_PORT ?? 3210)
export const baseURL = `http://localhost:${port}`
// One master key for the server and the stories, which read what it sealed (decision 0040).
process.env.DATA_ENCRYPTION_KEY ??= 'ZTJlLW1hc3Rlci1rZXktZm9yLWNob3J1cy1zdG9yaWU='

// Debian's Chromium (apt-get install chromium): Playwright's own browser downloads are not used.
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.test.ts',
  fullyParallel: true,
  forbidOnly: true,
  workers: 2,
  retries: 0,
  // Stories sign in through the mailbox and wait for jobs: on a 2-core machine they need room.
  // The longest (the no-js twins, 1.2-2× their js runs) took 84 s and 102 s in two full runs on
  // 2 December: the limit is over twice that, as it guards against a hang, not for speed.
  timeout: 240_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: { baseURL, trace: 'retain-on-failure', launchOptions },
  projects: [
    { name: 'js', use: { ...devices['Desktop Chrome'], javaScriptEnabled: true, launchOptions } },
    { name: 'no-js', use: { ...devices['Desktop Chrome'], javaScriptEnabled: false, launchOptions } },
  ],
  webServer: {
    command: 'npx tsx tests/support/e2e-server.ts',
    url: `${baseURL}/healthz`,
    timeout: 240_000,
    reuseExistingServer: false,
    // Our own shutdown stops the embedded PostgreSQL and removes its throwaway data.
    gracefulShutdown: { signal: 'SIGTERM', timeout: 15_000 },
    stdout: 'ignore',
    stderr: 'pipe',
    env: { E2E_PORT: String(port) },
  },
})
