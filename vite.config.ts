import { vitePlugin as remix } from '@remix-run/dev'
import { defineConfig } from 'vite'
import tsconfigPaths from 'vite-tsconfig-paths'
import { pageScripts } from './vite-page-scripts'

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true
  }
}

const buildDirectory = process.env.CHORUS_BUILD_DIR ?? 'build'

export default defineConfig({
  server: { port: 3000 },
  build: { target: 'es2022' },
  plugins: [
    remix({
      // A separate build folder lets parallel browser-test servers (E2E_PORT) build side by side.
      buildDirectory,
      ignoredRouteFiles: ['**/*.test.{ts,tsx}', '**/.*'],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
    tsconfigPaths(),
    pageScripts({ buildDirectory }),
  ],
})
