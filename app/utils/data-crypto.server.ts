import crypto from 'node:crypto'
import { getEnv } from '~/utils/env.server'
import { randomBytes } from '~/utils/random.server'

// The primitives of encryption at rest (decision 0040): AES-256-GCM with a fresh 12-byte IV per
// value, and HMAC-SHA-256 for blind indexes. Which key seals what lives in models/data-key.

const IV_BYTES = 12
const TAG_BYTES = 16
/** `v<key id>:<base64(iv | tag | ciphertext)>`: every ciphertext names the data key that sealed it. */
const SEALED = /^v(\d{1,10}):([A-Za-z0-9+/]+={0,2})$/

/** A master key's short public name, stored beside each key it wraps, so a rotation knows which master opens it. */
export function masterKeyId(master: Buffer): string {
  return crypto.createHash('sha256').update('chorus-master-key').update(master).digest('hex').slice(0, 16)
}

/** The master keys this process knows: the current one first, then the previous one during a rotation. */
export function masterKeys(): Buffer[] {
  const env = getEnv()
  const keys = [Buffer.from(env.DATA_ENCRYPTION_KEY, 'base64')]
  if (env.DATA_ENCRYPTION_KEY_PREVIOUS) keys.push(Buffer.from(env.DATA_ENCRYPTION_KEY_PREVIOUS, 'base64'))
  return keys
}

function gcmSeal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES)
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad))
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body])
}

function gcmOpen(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES))
  decipher.setAAD(Buffer.from(aad))
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()])
}

/** A new random 256-bit data (or index) key. */
export function newDataKey(): Buffer {
  return crypto.randomBytes(32)
}

/** A data key wrapped by a master key; the key's purpose is bound in, so an index key cannot pass for a data key. */
export function wrapDataKey(master: Buffer, key: Buffer, purpose: string): Buffer {
  return gcmSeal(master, key, `chorus-data-key:${purpose}`)
}

export function unwrapDataKey(master: Buffer, wrapped: Buffer, purpose: string): Buffer {
  return gcmOpen(master, wrapped, `chorus-data-key:${purpose}`)
}

/** Seals one value under a data key. */
export function sealWith(keyId: number, key: Buffer, plaintext: string): string {
  return `v${keyId}:${gcmSeal(key, Buffer.from(plaintext, 'utf8'), 'chorus-value').toString('base64')}`
}

/** The data key a stored value was sealed with, or null when it is not a sealed value (empty, or erased). */
export function sealedKeyId(value: string): number | null {
  if (value.length < 4 || value.charCodeAt(0) !== 118 /* v */) return null
  const match = SEALED.exec(value)
  return match ? Number(match[1]) : null
}

export function openWith(key: Buffer, value: string): string {
  const body = value.slice(value.indexOf(':') + 1)
  return gcmOpen(key, Buffer.from(body, 'base64'), 'chorus-value').toString('utf8')
}

/** The blind index of a string: a keyed hash, equal for equal inputs, useless without the index key. */
export function blindIndexWith(key: Buffer, value: string): string {
  return crypto.createHmac('sha256', key).update(value, 'utf8').digest('base64url')
}
