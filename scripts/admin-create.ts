import { parseArgs } from 'node:util'
import { z } from 'zod'
import { ensureOwner } from '../app/models/membership.server'
import { withPreparedDatabase } from '../server/database'
import { loadEnvironment } from '../server/environment'

// npm run admin:create -- --email ADDRESS --org "NAME"
// Makes ADDRESS an owner of the organisation NAME (created when missing). Safe to run again.

const USAGE = 'Usage: npm run admin:create -- --email ADDRESS --org "ORGANISATION NAME"'

const ArgsSchema = z.object({
  email: z.string({ required_error: '--email is required' }).trim().email('--email must be an email address').max(254),
  org: z.string({ required_error: '--org is required' }).trim().min(1, '--org must not be empty').max(200),
})

let args: z.infer<typeof ArgsSchema>
try {
  const { values } = parseArgs({ options: { email: { type: 'string' }, org: { type: 'string' } }, strict: true })
  const parsed = ArgsSchema.safeParse(values)
  if (!parsed.success) {
    console.error(`${parsed.error.issues.map((i) => i.message).join('\n')}\n${USAGE}`)
    process.exit(2)
  }
  args = parsed.data
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`)
  process.exit(2)
}

const env = loadEnvironment()
process.exit(
  await withPreparedDatabase(env, async () => {
    const result = await ensureOwner({ email: args.email, organisationName: args.org })
    const what = result.membershipCreated ? 'is now an owner of' : result.promoted ? 'was promoted to owner of' : 'was already an owner of'
    console.log(
      `${result.organisationCreated ? `Created the organisation "${result.organisation.name}" (${result.organisation.slug}).\n` : ''}` +
        `${result.user.email} ${what} "${result.organisation.name}".\n\n` +
        `Sign in at ${env.APP_URL}/admin/sign-in with ${result.user.email}: a sign-in link is emailed to that address` +
        (env.EMAIL_TRANSPORT === 'mailbox' ? ` (with the development mailbox, open ${env.APP_URL}/dev/mailbox on this machine).` : '.'),
    )
  }),
)
