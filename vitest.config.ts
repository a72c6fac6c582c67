import tsconfigPaths from 'vite-tsconfig-paths'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ['app/**/*.test.{ts,tsx}', 'db/**/*.test.ts', 'emails/**/*.test.{ts,tsx}', 'server/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/setup-database.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      NODE_ENV: 'test',
      SESSION_SECRET: 'test-secret-test-secret-test-secret-0123456789',
      // A fixed master key: every test process opens what another sealed (decision 0040).
      DATA_ENCRYPTION_KEY: 'dGVzdC1tYXN0ZXIta2V5LWZvci1jaG9ydXMtdGVzdHM=',
      EMAIL_TRANSPORT: 'mailbox',
      APP_URL: 'http://localhost:3000',
      DATA_DIR: '.data/test',
      LOG_LEVEL: 'silent',
    },
  },
})
