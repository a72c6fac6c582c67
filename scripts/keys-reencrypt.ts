import { parseArgs } from 'node:util'
import { reencryptRows, retireDataKeys } from '../app/models/data-key-rotation.server'
import { withPreparedDatabase } from '../server/database'
import { loadEnvironment } from '../server/environment'

// npm run keys:reencrypt (decision 0040): gives every organisation a new data key and moves every
// sealed value to it, a batch at a time. Interrupted (or while other processes still seal with
// the old key for up to a minute), run `npm run keys:reencrypt -- --continue`: it creates no new
// keys and moves whatever is not yet on the current ones.
const USAGE = 'Usage: npm run keys:reencrypt [-- --continue] [--batch-size N]'
let options: { continue?: boolean; 'batch-size'?: string }
try {
  options = parseArgs({ options: { continue: { type: 'boolean' }, 'batch-size': { type: 'string' } }, strict: true }).values
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`)
  process.exit(2)
}
const batchSize = Number(options['batch-size'] ?? 1000)
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
  console.error(`--batch-size must be a whole number from 1 to 100000\n${USAGE}`)
  process.exit(2)
}

const env = loadEnvironment()
process.exit(
  await withPreparedDatabase(env, async () => {
    if (!options.continue) console.log(`Retired ${await retireDataKeys()} data key(s); new ones are made as values move.`)
    const moved = await reencryptRows({ batchSize })
    for (const [table, count] of Object.entries(moved)) console.log(`${table}: ${count} row(s) moved to the current key`)
    console.log('Done. Old keys stay (retired) until nothing names them; run again with --continue to catch late writes.')
  }),
)
