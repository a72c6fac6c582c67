import crypto from 'node:crypto'
import { getEnv } from '~/utils/env.server'

/** A random URL-safe token carrying 256 bits. */
export function generateToken(): string {
  return crypto.randomBytes(32).toString('base64url')
}

export function hashToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token, 'utf8').digest()
}

function derivedKey(purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', getEnv().SESSION_SECRET, 'chorus', purpose, 32))
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
