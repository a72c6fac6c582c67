import crypto from 'node:crypto'
import { getEnv } from '~/utils/env.server'

/** A random URL-safe token carrying 256 bits. */
export function generateToken(): string {
  return crypto.randomBytes(32).toString('base64url')
}

export function hashToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token, 'utf8').digest()
}

const keys = new Map<string, Buffer>()

/** A key for one purpose, derived from SESSION_SECRET (and derived once per secret and purpose). */
function derivedKey(purpose: string): Buffer {
  const secret = getEnv().SESSION_SECRET
  const id = `${purpose}\0${secret}`
  let key = keys.get(id)
  if (!key) {
    key = Buffer.from(crypto.hkdfSync('sha256', secret, 'chorus', purpose, 32))
    keys.set(id, key)
  }
  return key
}

/** A secret for one purpose (e.g. signing proof-of-work challenges), derived from SESSION_SECRET. */
export function purposeSecret(purpose: string): string {
  return derivedKey(purpose).toString('base64url')
}

/** Raw IP addresses are never stored: only this keyed hash, so rate limits work without a log of who signed from where. */
export function hashIp(ip: string): Buffer {
  return crypto.createHmac('sha256', derivedKey('ip-hash')).update(ip).digest()
}

export function signValue(purpose: string, value: string): string {
  return crypto.createHmac('sha256', derivedKey(purpose)).update(value).digest('base64url')
}

export function verifySignedValue(purpose: string, value: string, signature: string): boolean {
  const expected = Buffer.from(signValue(purpose, value))
  const given = Buffer.from(signature)
  return expected.length === given.length && crypto.timingSafeEqual(expected, given)
}

export function isLoopbackAddress(ip: string | undefined): boolean {
  if (!ip) return false
  const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip
  return address === '::1' || /^127\./.test(address)
}
