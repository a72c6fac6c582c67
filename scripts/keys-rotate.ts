import { rewrapDataKeys } from '../app/models/data-key-rotation.server'
import { withPreparedDatabase } from '../server/database'
import { loadEnvironment } from '../server/environment'

// npm run keys:rotate (decision 0040): re-wraps every data key under a new master key, without
// touching the data and without downtime.
//   1. give every process DATA_ENCRYPTION_KEY=<new> and DATA_ENCRYPTION_KEY_PREVIOUS=<old>
//      (they open keys wrapped by either) and restart them;
//   2. run this once (safe to run again);
//   3. remove DATA_ENCRYPTION_KEY_PREVIOUS everywhere.
const env = loadEnvironment()
if (!env.DATA_ENCRYPTION_KEY_PREVIOUS) {
  console.error('Set DATA_ENCRYPTION_KEY to the new master key and DATA_ENCRYPTION_KEY_PREVIOUS to the old one.')
  process.exit(2)
}
process.exit(
  await withPreparedDatabase(env, async () => {
    const { rewrapped, alreadyCurrent } = await rewrapDataKeys()
    console.log(`Re-wrapped ${rewrapped} data key(s) under the new master key (${alreadyCurrent} already were).`)
    console.log('Every process can now drop DATA_ENCRYPTION_KEY_PREVIOUS.')
  }),
)
