import { seedDemoContentIfEmpty } from '../app/models/seed.server'
import { withPreparedDatabase } from '../server/database'
import { loadEnvironment } from '../server/environment'

// npm run seed: the demo organisation, organiser and campaigns, into a database with no campaign.
const env = loadEnvironment()
process.exit(
  await withPreparedDatabase(env, async () => {
    const seeded = await seedDemoContentIfEmpty()
    console.log(seeded ? 'Demo content seeded.' : 'The database already holds campaigns: nothing seeded.')
  }),
)
