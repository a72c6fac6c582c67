import { afterAll, afterEach, beforeAll } from 'vitest'
import { startFakeResend, type FakeResend } from './fake-resend'
import { resetEnv } from '~/utils/env.server'

/**
 * A fake Resend for the tests of one file or describe block: started before them and closed
 * after. `use()` sends the app's email through it for the current test (with any other settings
 * given); after each test every setting it changed is as it was, and the fake forgets what it saw.
 */
export function fakeResendSuite() {
  let resend: FakeResend | null = null
  const saved = new Map<string, string | undefined>()
  beforeAll(async () => {
    resend = await startFakeResend()
  })
  afterAll(async () => {
    await resend?.close()
  })
  afterEach(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    saved.clear()
    resetEnv()
    resend?.reset()
  })
  const suite = {
    get resend(): FakeResend {
      if (!resend) throw new Error('the fake Resend starts before the tests')
      return resend
    },
    use(settings: Record<string, string> = {}) {
      const all = { EMAIL_TRANSPORT: 'resend', RESEND_API_KEY: suite.resend.apiKey, RESEND_BASE_URL: suite.resend.url, ...settings }
      for (const [key, value] of Object.entries(all)) {
        if (!saved.has(key)) saved.set(key, process.env[key])
        process.env[key] = value
      }
      resetEnv()
    },
  }
  return suite
}
