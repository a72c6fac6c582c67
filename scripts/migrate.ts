import { withPreparedDatabase } from '../server/database'
import { loadEnvironment } from '../server/environment'

// npm run migrate: brings the database (DATABASE_URL, or the embedded one under DATA_DIR, even
// while `npm start` is running it) to the latest schema. `npm start` does this by itself too.
const env = loadEnvironment()
// Preparing the database migrates it: there is nothing more to do.
process.exit(await withPreparedDatabase(env, async () => console.log('The database is at the latest migration.')))
