import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import type { NextFunction, Request, Response } from 'express'

/** Files worth compressing at build time, by extension. */
export const COMPRESSIBLE = /\.(js|mjs|css|svg|json|html|txt|map|xml|webmanifest)$/i

/** The encodings written beside each asset at build time, best first. */
const ENCODINGS = [
  { name: 'br', ext: '.br' },
  { name: 'gzip', ext: '.gz' },
] as const

/** Whether an Accept-Encoding header accepts this encoding (named, with no q=0). */
export function acceptsEncoding(header: string | undefined, encoding: string) {
  if (!header) return false
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    return name!.trim().toLowerCase() === encoding && (!q || Number(q.slice(2)) > 0)
  })
}

/**
 * Serves the `.br`/`.gz` twin a build wrote beside a static file, when the client accepts it:
 * the request is rewritten to the twin (express.static then serves it) with the original's
 * Content-Type and `Content-Encoding`. Which twins exist is read once, at boot.
 */
export function precompressedAssets(root: string) {
  const twins = new Map<string, Set<string>>()
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else
        for (const { ext } of ENCODINGS) {
          if (!entry.name.endsWith(ext)) continue
          const original = '/' + path.relative(root, full.slice(0, -ext.length)).split(path.sep).join('/')
          if (!twins.has(original)) twins.set(original, new Set())
          twins.get(original)!.add(ext)
        }
    }
  }
  walk(root)
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next()
    const available = twins.get(req.path)
    if (!available) return next()
    res.vary('Accept-Encoding')
    const accept = req.get('accept-encoding')
    const chosen = ENCODINGS.find(({ name, ext }) => available.has(ext) && acceptsEncoding(accept, name))
    if (!chosen) return next()
    res.type(path.extname(req.path))
    res.setHeader('Content-Encoding', chosen.name)
    req.url = req.url.replace(/(\?|$)/, `${chosen.ext}$1`)
    next()
  }
}

/** Writes a brotli (.br) and a gzip (.gz) twin beside every compressible file under `dir`; answers how many. */
const MIN_BYTES = 512

export function compressAssets(dir: string): number {
  let written = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) {
      written += compressAssets(full)
      continue
    }
    if (!COMPRESSIBLE.test(entry.name)) continue
    const body = fs.readFileSync(full)
    if (body.length < MIN_BYTES) continue
    fs.writeFileSync(
      `${full}.br`,
      zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    )
    fs.writeFileSync(`${full}.gz`, zlib.gzipSync(body, { level: 9 }))
    written++
  }
  return written
}
