import crypto from 'node:crypto'
import { getEnv } from '~/utils/env.server'
import { randomBytes } from '~/utils/random.server'

/** A random URL-safe token carrying 256 bits. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url')
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

/** The UTC day whose key a stored address hash is made with. */
export function addressHashDay(at: Date): string {
  return at.toISOString().slice(0, 10)
}

/**
 * The client-address hash kept on a signature (for the per-address hold and fraud review), keyed
 * with that UTC day's own key, derived from SESSION_SECRET: a hash compares only with hashes of
 * the same day, and a copy of the database alone cannot be reversed by trying all 2^32 IPv4
 * addresses. Erased after 30 days (app/jobs/erase-address-hashes.server.ts, decision 0015).
 */
export function hashStoredAddress(ip: string, at: Date = new Date()): Buffer {
  return crypto
    .createHmac('sha256', derivedKey(`address-hash:${addressHashDay(at)}`))
    .update(ip)
    .digest()
}

/** The hashes `ip` was stored under today and yesterday, for rules that look back across midnight. */
export function recentStoredAddressHashes(ip: string, at: Date = new Date()): [Buffer, Buffer] {
  return [hashStoredAddress(ip, at), hashStoredAddress(ip, new Date(at.getTime() - 24 * 3600 * 1000))]
}

/**
 * The identity a client's rate limits count against: an IPv4 address, or an IPv6 address's /64
 * (one subscriber's whole allocation, which one person can rotate through freely), as a keyed hash.
 */
export function rateLimitKey(ip: string): string {
  return hashIp(rateLimitSubject(ip)).toString('hex')
}

export function rateLimitSubject(ip: string): string {
  const address = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
  if (!address.includes(':')) return address
  const groups = expandIpv6(address)
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address
}

/** The eight 16-bit groups of an IPv6 address (zone removed), or null if it is not one. */
function expandIpv6(address: string): string[] | null {
  const bare = address.split('%')[0]!.toLowerCase()
  if (bare.length > 45) return null
  const halves = bare.split('::')
  if (halves.length > 2) return null
  const parse = (part: string) => (part === '' ? [] : part.split(':'))
  const head = parse(halves[0]!)
  const tail = halves.length === 2 ? parse(halves[1]!) : []
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two groups.
  const last = tail.length ? tail : head
  if (last.length && last[last.length - 1]!.includes('.')) {
    const octets = last.pop()!.split('.').map(Number)
    if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return null
    last.push(((octets[0]! << 8) | octets[1]!).toString(16), ((octets[2]! << 8) | octets[3]!).toString(16))
  }
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null
  return groups.map((g) => g.replace(/^0{1,3}(?=.)/, ''))
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
