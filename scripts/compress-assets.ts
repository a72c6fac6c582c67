import fs from 'node:fs'
import path from 'node:path'
import { compressAssets } from '../server/compressed-assets'

// After `remix vite:build`: writes a brotli (.br) and a gzip (.gz) twin beside every compressible
// file of the client build, once, so the server never compresses a static file per request.
const root = path.resolve(process.env.CHORUS_BUILD_DIR ?? 'build', 'client')
if (!fs.existsSync(root)) {
  console.error(`No client build at ${root}: run the build first.`)
  process.exit(1)
}
console.log(`compressed ${compressAssets(root)} static files (brotli and gzip) in ${path.relative('.', root)}`)
