import { prepareDatabase, runningEmbeddedDatabase } from '../server/database'
import { loadEnvironment } from '../server/environment'

// npm run migrate: brings the database (DATABASE_URL, or the embedded one under DATA_DIR, even
// while `npm start` is running it) to the latest schema. `npm start` does this by itself too.
const env = loadEnvironment()
const database = await prepareDatabase({ ...env, DATABASE_URL: env.DATABASE_URL ?? runningEmbeddedDatabase(env.DATA_DIR) })
await database.stop()
console.log('The database is at the latest migration.')
process.exit(0)
