import fs from 'node:fs'
import path from 'node:path'
import type { Plugin } from 'vite'

/**
 * The scripts of pages that do not hydrate (decision 0037), built by Vite like the rest of the
 * client: bundled, minified and content-hashed (`/assets/<name>-<hash>.js`, served immutable).
 * The server learns their URLs from `virtual:page-scripts`: in a build, read from the client
 * build's manifest (the client is built first); in development, their source paths.
 */
export const PAGE_SCRIPTS = { 'campaign-page': 'app/scripts/campaign-page.ts' } as const

const VIRTUAL_ID = 'virtual:page-scripts'
const RESOLVED_ID = `\0${VIRTUAL_ID}`

export function pageScripts({ buildDirectory }: { buildDirectory: string }): Plugin {
  let command: 'build' | 'serve' = 'serve'
  let ssrBuild = false
  let root = process.cwd()
  return {
    name: 'chorus-page-scripts',
    config(_config, env) {
      // The client build takes them as entries of their own, beside Remix's.
      if (env.command === 'build' && !env.isSsrBuild) return { build: { rollupOptions: { input: Object.values(PAGE_SCRIPTS) } } }
    },
    configResolved(config) {
      command = config.command
      ssrBuild = Boolean(config.build.ssr)
      root = config.root
    },
    resolveId(id) {
      if (id === VIRTUAL_ID) return RESOLVED_ID
    },
    load(id) {
      if (id !== RESOLVED_ID) return
      const urls: Record<string, string> = {}
      if (command === 'serve') {
        for (const [name, file] of Object.entries(PAGE_SCRIPTS)) urls[name] = `/${file}`
      } else if (ssrBuild) {
        const manifestPath = path.resolve(root, buildDirectory, 'client/.vite/manifest.json')
        const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as Record<string, { file: string }>
        for (const [name, file] of Object.entries(PAGE_SCRIPTS)) {
          const entry = manifest[file]
          if (!entry) throw new Error(`${file} is missing from the client build's manifest`)
          urls[name] = `/${entry.file}`
        }
      }
      // The client build never reads these (pages that do not hydrate run no route code).
      return `export default ${JSON.stringify(urls)}`
    },
  }
}
