import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { EnvError, parseEnv } from './env.server'

const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-env-'))

function problems(source: Record<string, string>) {
  try {
    parseEnv(source)
  } catch (error) {
    if (error instanceof EnvError) return error.problems
    throw error
  }
  return []
}

describe('parseEnv', () => {
  it('applies defaults for a local run, generating and keeping a session secret under DATA_DIR', () => {
    const dir = dataDir()
    const env = parseEnv({ DATA_DIR: dir })
    expect(env).toMatchObject({
      PORT: 3000,
      APP_URL: 'http://localhost:3000',
      EMAIL_TRANSPORT: 'mailbox',
      WORKER: true,
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    })
    expect(env.SESSION_SECRET).toMatch(/^[0-9a-f]{64}$/)
    expect(parseEnv({ DATA_DIR: dir }).SESSION_SECRET).toBe(env.SESSION_SECRET)
    expect(fs.statSync(path.join(dir, 'session-secret')).mode & 0o777).toBe(0o600)
  })

  it('derives APP_URL from PORT and strips a trailing slash', () => {
    expect(parseEnv({ DATA_DIR: dataDir(), PORT: '4100' }).APP_URL).toBe('http://localhost:4100')
    expect(parseEnv({ DATA_DIR: dataDir(), APP_URL: 'https://act.example.org/' }).APP_URL).toBe('https://act.example.org')
  })

  it('chooses Resend when an API key is set, and WORKER=off turns the runner off', () => {
    const env = parseEnv({ DATA_DIR: dataDir(), RESEND_API_KEY: 're_123', WORKER: 'off' })
    expect(env.EMAIL_TRANSPORT).toBe('resend')
    expect(env.WORKER).toBe(false)
  })

  it('names every bad variable at once', () => {
    const found = problems({
      PORT: 'eighty',
      APP_URL: 'not a url',
      DATABASE_URL: 'mysql://x',
      EMAIL_TRANSPORT: 'carrier-pigeon',
      LOG_LEVEL: 'loud',
      WORKER: 'maybe',
      SESSION_SECRET: 'short',
    })
    for (const name of ['PORT', 'APP_URL', 'DATABASE_URL', 'EMAIL_TRANSPORT', 'LOG_LEVEL', 'WORKER', 'SESSION_SECRET']) {
      expect(found.some((p) => p.startsWith(name))).toBe(true)
    }
  })

  it('requires SESSION_SECRET and DATA_ENCRYPTION_KEY in production', () => {
    expect(problems({ NODE_ENV: 'production', RESEND_API_KEY: 're_1' })).toEqual([
      'SESSION_SECRET is required in production',
      "DATA_ENCRYPTION_KEY is required in production (openssl rand -base64 32): it protects supporters' details at rest",
    ])
  })

  it('takes a master key of exactly 32 bytes in base64, and generates one under DATA_DIR outside production', () => {
    const key = Buffer.alloc(32, 7).toString('base64')
    expect(parseEnv({ DATA_DIR: dataDir(), DATA_ENCRYPTION_KEY: key }).DATA_ENCRYPTION_KEY).toBe(key)
    expect(problems({ DATA_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') })[0]).toMatch(/^DATA_ENCRYPTION_KEY must be 32 random bytes/)
    expect(problems({ DATA_ENCRYPTION_KEY: key, DATA_ENCRYPTION_KEY_PREVIOUS: key })).toEqual([
      'DATA_ENCRYPTION_KEY_PREVIOUS must differ from DATA_ENCRYPTION_KEY',
    ])
    const dir = dataDir()
    const generated = parseEnv({ DATA_DIR: dir }).DATA_ENCRYPTION_KEY
    expect(Buffer.from(generated, 'base64')).toHaveLength(32)
    expect(parseEnv({ DATA_DIR: dir }).DATA_ENCRYPTION_KEY).toBe(generated)
    expect(fs.statSync(path.join(dir, 'data-encryption-key')).mode & 0o777).toBe(0o600)
  })

  it('refuses the mailbox in production unless it is chosen explicitly', () => {
    const secret = 'x'.repeat(40)
    const key = Buffer.alloc(32, 1).toString('base64')
    expect(problems({ NODE_ENV: 'production', SESSION_SECRET: secret, DATA_ENCRYPTION_KEY: key })[0]).toMatch(/^EMAIL_TRANSPORT/)
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: secret, DATA_ENCRYPTION_KEY: key, EMAIL_TRANSPORT: 'mailbox' }).EMAIL_TRANSPORT).toBe('mailbox')
  })

  it('needs an API key for the Resend transport', () => {
    expect(problems({ DATA_DIR: dataDir(), EMAIL_TRANSPORT: 'resend' })).toEqual(['RESEND_API_KEY is required when EMAIL_TRANSPORT=resend'])
  })

  it('treats empty variables as unset', () => {
    expect(parseEnv({ DATA_DIR: dataDir(), PORT: '', DATABASE_URL: '' }).PORT).toBe(3000)
  })
})
