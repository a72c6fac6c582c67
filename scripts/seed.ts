import { seedDemoContentIfEmpty } from '../app/models/seed.server'
import { closeDb } from '../app/utils/db.server'
import { prepareDatabase, runningEmbeddedDatabase } from '../server/database'
import { loadEnvironment } from '../server/environment'

// npm run seed: the demo organisation, organiser and campaigns, into a database with no campaign.
const env = loadEnvironment()
const database = await prepareDatabase({ ...env, DATABASE_URL: env.DATABASE_URL ?? runningEmbeddedDatabase(env.DATA_DIR) })
let exitCode = 0
try {
  const seeded = await seedDemoContentIfEmpty()
  console.log(seeded ? 'Demo content seeded.' : 'The database already holds campaigns: nothing seeded.')
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  exitCode = 1
} finally {
  await closeDb()
  await database.stop()
}
process.exit(exitCode)
