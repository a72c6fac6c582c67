import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

const booleanish = z.enum(['on', 'off', 'true', 'false', '1', '0']).transform((value) => value === 'on' || value === 'true' || value === '1')

const positiveInt = z.coerce.number().int().positive()

/** An IPv4 or IPv6 address, optionally with a /prefix; or one of proxy-addr's names. */
const PROXY_ENTRY = /^(loopback|linklocal|uniquelocal|[0-9.]{7,15}(\/\d{1,2})?|[0-9a-fA-F:.]{2,45}(\/\d{1,3})?)$/

/**
 * Which proxies may tell us the client's address, as Express's `trust proxy` takes it: `off`
 * (none: the socket's address is the client's), `on` (one hop: the proxy in front of us), a hop
 * count, or a comma-separated list of proxy addresses/CIDRs (and `loopback`, `uniquelocal`...).
 */
export type TrustProxy = false | number | string[]

const trustProxySchema = z.string().transform((raw, ctx): TrustProxy => {
  const value = raw.trim().toLowerCase()
  if (['off', 'false', '0', 'no'].includes(value)) return false
  if (['on', 'true', 'yes'].includes(value)) return 1
  if (/^\d{1,2}$/.test(value)) return Number(value)
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (entries.length > 0 && entries.length <= 100 && entries.every((entry) => PROXY_ENTRY.test(entry))) return entries
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message: 'must be off, on (one proxy), a hop count, or a comma-separated list of proxy addresses/CIDRs',
  })
  return z.NEVER
})

/** 32 random bytes in base64 (`openssl rand -base64 32`). */
const masterKeySchema = z
  .string()
  .max(100)
  .refine((value) => /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32, {
    message: 'must be 32 random bytes in base64 (openssl rand -base64 32)',
  })

export const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    APP_URL: z.string().url().optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
      .optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    // Encryption at rest (decision 0040): the master key wrapping every data key, and
    // during a rotation the one it replaces (keys:rotate re-wraps from PREVIOUS to the current).
    DATA_ENCRYPTION_KEY: masterKeySchema.optional(),
    DATA_ENCRYPTION_KEY_PREVIOUS: masterKeySchema.optional(),
    EMAIL_TRANSPORT: z.enum(['resend', 'mailbox']).optional(),
    EMAIL_FROM: z.string().min(3).default('Chorus <campaigns@chorus.localhost>'),
    RESEND_API_KEY: z.string().min(1).optional(),
    RESEND_BASE_URL: z.string().url().optional(),
    WORKER: booleanish.default('on'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: trustProxySchema.default('off'),
    SIGN_RATE_LIMIT: positiveInt.default(20),
    SIGN_RATE_WINDOW_SECONDS: positiveInt.default(3600),
    WORKER_CONCURRENCY: positiveInt.default(4),
    // Web processes `npm start` runs on this machine (Node's cluster; decision 0001): one per core.
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
    /** Signers one statement writes at most (decision 0050); 1 writes each alone. */
    SIGN_BATCH_MAX: z.coerce.number().int().min(1).max(1000).default(100),
    // Donations: both Stripe keys, or neither (then the donate page says donations are off).
    STRIPE_SECRET_KEY: z.string().min(1).optional(),
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
    STRIPE_API_BASE_URL: z.string().url().optional(),
    DONATION_MIN_AMOUNT: z.coerce.number().positive().default(1),
    DONATION_MAX_AMOUNT: z.coerce.number().positive().default(10_000),
    // Updates to signers: Resend's webhook signing secret (whsec_...), and how many batch
    // requests (100 emails each) an update may make a second; Resend's default limit is 2.
    RESEND_WEBHOOK_SECRET: z.string().min(1).optional(),
    // The outbox (decision 0025): requests a second every process together makes to Resend (each a
    // batch of up to 100 emails); Resend's default team limit is 2. UPDATE_SEND_RATE is its old
    // name, accepted for one release with a warning.
    RESEND_RATE_LIMIT: z.coerce.number().positive().max(1000).optional(),
    UPDATE_SEND_RATE: z.coerce.number().positive().max(1000).optional(),
    // Crash recovery (decision 0026): a process whose heartbeat has been silent this
    // long is taken for dead and what it held is released; a SIGTERM finishes or releases work
    // within the grace period, then exits.
    WORKER_DEAD_AFTER_SECONDS: z.coerce.number().int().min(2).max(3600).default(30),
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(3600).default(20),
    // Signatures each OSDI API key may record an hour (an integration sends many people's).
    API_SIGN_RATE_LIMIT: positiveInt.default(600),
    // Integrity (decision 0030): signatures over these are held for review, not refused.
    INTEGRITY_HOLD_DISPOSABLE: booleanish.default('on'),
    INTEGRITY_DOMAIN_HOURLY_LIMIT: positiveInt.default(50),
    INTEGRITY_ADDRESS_HOURLY_LIMIT: positiveInt.default(5),
    // Attack mode starts when the last 10 minutes' signatures per minute reach the floor and the
    // multiple of the day's usual rate; it ends when either no longer holds.
    INTEGRITY_ATTACK_MULTIPLIER: z.coerce.number().min(1).default(10),
    INTEGRITY_ATTACK_MIN_RATE: z.coerce.number().positive().default(20),
    // Work of the proof-of-work challenge (SHA-256 rounds a browser tries, at most).
    INTEGRITY_CHALLENGE_MAX_NUMBER: positiveInt.default(50_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['SESSION_SECRET'],
        message: 'is required in production',
      })
    }
    if (env.NODE_ENV === 'production' && !env.DATA_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['DATA_ENCRYPTION_KEY'],
        message: "is required in production (openssl rand -base64 32): it protects supporters' details at rest",
      })
    }
    if (env.DATA_ENCRYPTION_KEY && env.DATA_ENCRYPTION_KEY === env.DATA_ENCRYPTION_KEY_PREVIOUS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['DATA_ENCRYPTION_KEY_PREVIOUS'], message: 'must differ from DATA_ENCRYPTION_KEY' })
    }
    if (env.EMAIL_TRANSPORT === 'resend' && !env.RESEND_API_KEY) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['RESEND_API_KEY'],
        message: 'is required when EMAIL_TRANSPORT=resend',
      })
    }
    if (env.NODE_ENV === 'production' && Boolean(env.STRIPE_SECRET_KEY) !== Boolean(env.STRIPE_WEBHOOK_SECRET)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [env.STRIPE_SECRET_KEY ? 'STRIPE_WEBHOOK_SECRET' : 'STRIPE_SECRET_KEY'],
        message: 'is required when the other Stripe key is set: gifts would be taken but never recorded',
      })
    }
    if (env.DONATION_MIN_AMOUNT > env.DONATION_MAX_AMOUNT) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['DONATION_MIN_AMOUNT'], message: 'must not exceed DONATION_MAX_AMOUNT' })
    }
    if (env.NODE_ENV === 'production' && !env.EMAIL_TRANSPORT && !env.RESEND_API_KEY) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['EMAIL_TRANSPORT'],
        message: 'production refuses the development mailbox unless chosen explicitly: set RESEND_API_KEY, or EMAIL_TRANSPORT=mailbox',
      })
    }
  })

export type Env = Omit<z.infer<typeof EnvSchema>, 'RESEND_RATE_LIMIT'> & {
  RESEND_RATE_LIMIT: number
  APP_URL: string
  SESSION_SECRET: string
  DATA_ENCRYPTION_KEY: string
  EMAIL_TRANSPORT: 'resend' | 'mailbox'
}

export class EnvError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'EnvError'
  }
}

/** Validates the environment; throws an EnvError naming every bad or missing variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable means "not set", as it does in most .env files.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''))
  const result = EnvSchema.safeParse(cleaned)
  if (!result.success) {
    throw new EnvError(result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`))
  }
  const env = result.data
  return {
    ...env,
    RESEND_RATE_LIMIT: env.RESEND_RATE_LIMIT ?? env.UPDATE_SEND_RATE ?? 2,
    APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    SESSION_SECRET: env.SESSION_SECRET ?? developmentSecret(env.DATA_DIR),
    DATA_ENCRYPTION_KEY: env.DATA_ENCRYPTION_KEY ?? developmentSecret(env.DATA_DIR, 'data-encryption-key', 'base64'),
    EMAIL_TRANSPORT: env.EMAIL_TRANSPORT ?? (env.RESEND_API_KEY ? 'resend' : 'mailbox'),
  }
}

/** Outside production a secret is generated once and kept under DATA_DIR. */
function developmentSecret(dataDir: string, name = 'session-secret', encoding: 'hex' | 'base64' = 'hex'): string {
  const file = path.resolve(dataDir, name)
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    const secret = crypto.randomBytes(32).toString(encoding)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    try {
      // Exclusive: two processes starting at once keep the same secret (the loser reads the winner's).
      fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      return fs.readFileSync(file, 'utf8').trim()
    }
    return secret
  }
}

/** Settings that still work but should change: boot logs each as a warning. */
export function configurationWarnings(env: Env): string[] {
  const warnings: string[] = []
  if (env.UPDATE_SEND_RATE !== undefined) {
    warnings.push(
      env.RESEND_RATE_LIMIT === env.UPDATE_SEND_RATE && !process.env.RESEND_RATE_LIMIT
        ? 'UPDATE_SEND_RATE is deprecated: rename it RESEND_RATE_LIMIT (it now limits every email, not only updates)'
        : 'UPDATE_SEND_RATE is deprecated and ignored because RESEND_RATE_LIMIT is set',
    )
  }
  return warnings
}

const globalForEnv = globalThis as unknown as { __chorusEnv?: Env }

export function getEnv(): Env {
  if (!globalForEnv.__chorusEnv) globalForEnv.__chorusEnv = parseEnv(process.env)
  return globalForEnv.__chorusEnv
}

/** For tests and boot: forget the parsed environment so the next getEnv() reads it again. */
export function resetEnv() {
  globalForEnv.__chorusEnv = undefined
}
