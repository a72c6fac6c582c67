import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EnvError, parseEnv, resetEnv } from '~/utils/env.server'
import { getStripe, isStripeConfigured, stripeHostOptions } from '~/utils/stripe.server'

const base = () => ({ DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-env-')) })
const production = {
  NODE_ENV: 'production',
  SESSION_SECRET: 'x'.repeat(40),
  EMAIL_TRANSPORT: 'mailbox',
  DATA_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
}

function problems(source: Record<string, string>) {
  try {
    parseEnv(source)
  } catch (error) {
    if (error instanceof EnvError) return error.problems
    throw error
  }
  return []
}

afterEach(() => {
  delete process.env.STRIPE_SECRET_KEY
  delete process.env.STRIPE_WEBHOOK_SECRET
  delete process.env.STRIPE_API_BASE_URL
  resetEnv()
})

describe('Stripe configuration', () => {
  it('is optional; in production one Stripe key needs the other', () => {
    expect(problems({ ...base(), ...production })).toEqual([])
    expect(problems({ ...base(), ...production, STRIPE_SECRET_KEY: 'sk_live_1' })).toEqual([
      'STRIPE_WEBHOOK_SECRET is required when the other Stripe key is set: gifts would be taken but never recorded',
    ])
    expect(problems({ ...base(), ...production, STRIPE_WEBHOOK_SECRET: 'whsec_1' })[0]).toMatch(/^STRIPE_SECRET_KEY is required/)
    expect(problems({ ...base(), ...production, STRIPE_SECRET_KEY: 'sk_live_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' })).toEqual([])
    expect(problems({ ...base(), STRIPE_API_BASE_URL: 'not a url' })[0]).toMatch(/^STRIPE_API_BASE_URL/)
    expect(problems({ ...base(), DONATION_MIN_AMOUNT: '50', DONATION_MAX_AMOUNT: '10' })[0]).toMatch(/^DONATION_MIN_AMOUNT/)
    expect(parseEnv({ ...base() })).toMatchObject({ DONATION_MIN_AMOUNT: 1, DONATION_MAX_AMOUNT: 10_000 })
  })

  it('outside production, a single key leaves donations off rather than stopping the site', () => {
    process.env.STRIPE_SECRET_KEY = 'sk_test_1'
    resetEnv()
    expect(isStripeConfigured()).toBe(false)
    expect(getStripe()).toBeNull()
  })

  it('passes STRIPE_API_BASE_URL to the SDK as host, port and protocol', () => {
    expect(stripeHostOptions(undefined)).toEqual({})
    expect(stripeHostOptions('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: '12111', protocol: 'http' })
    expect(stripeHostOptions('https://stripe.internal.example')).toEqual({ host: 'stripe.internal.example', port: 443, protocol: 'https' })
  })
})
