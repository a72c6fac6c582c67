import { parseArgs } from 'node:util'
import { z } from 'zod'
import { collectSupporterData, eraseSupporterData } from '../app/models/supporter-data.server'
import { withPreparedDatabase } from '../server/database'
import { loadEnvironment } from '../server/environment'

// npm run supporter:export -- --email ADDRESS   prints, as JSON, everything held for ADDRESS
// npm run supporter:erase -- --email ADDRESS    erases every trace of it (counts stay; decision 0040)
// A supporter's request by other means than /my-data (a letter, a phone call). Audited, never naming the address.

const command = process.argv[2]
const USAGE = `Usage: npm run supporter:${command === 'erase' ? 'erase' : 'export'} -- --email ADDRESS`
const ArgsSchema = z.object({
  email: z.string({ required_error: '--email is required' }).trim().email('--email must be an email address').max(254),
})

let email: string
try {
  const { values } = parseArgs({ args: process.argv.slice(3), options: { email: { type: 'string' } }, strict: true })
  const parsed = ArgsSchema.safeParse(values)
  if (!parsed.success || (command !== 'export' && command !== 'erase')) {
    console.error(`${parsed.success ? 'export or erase?' : parsed.error.issues.map((i) => i.message).join('\n')}\n${USAGE}`)
    process.exit(2)
  }
  email = parsed.data.email
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`)
  process.exit(2)
}

const env = loadEnvironment()
process.exit(
  await withPreparedDatabase(env, async () => {
    if (command === 'export') {
      console.log(JSON.stringify(await collectSupporterData(email), null, 2))
      return
    }
    const counts = await eraseSupporterData(email, null)
    console.log(
      `Erased: ${counts.signatures} signature(s), ${counts.gifts} gift(s), ${counts.emails} email(s), ${counts.suppressions} suppressed address(es) (their blind index stays, so they are still never emailed).`,
    )
  }),
)
