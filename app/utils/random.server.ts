import crypto from 'node:crypto'

// Random bytes for the small values every request takes (a CSP nonce, a token, an IV): drawn from
// a block filled at once by the system's CSPRNG, as Node does for randomUUID, rather than one
// call into it per value (each call costs more than the bytes: ~5% of a sign POST's CPU). Each
// byte is handed out once and copied out, so no caller sees another's. Large requests go straight
// to the CSPRNG.

const BLOCK_BYTES = 8 * 1024
const LARGEST_POOLED = 64

let block = Buffer.alloc(0)
let offset = 0

/** `size` cryptographically random bytes (crypto.randomBytes' output, drawn in blocks). */
export function randomBytes(size: number): Buffer {
  if (size > LARGEST_POOLED) return crypto.randomBytes(size)
  if (offset + size > block.length) {
    block = crypto.randomFillSync(Buffer.allocUnsafeSlow(BLOCK_BYTES))
    offset = 0
  }
  const bytes = Buffer.from(block.subarray(offset, offset + size))
  // What was handed out is not kept in the block.
  block.fill(0, offset, offset + size)
  offset += size
  return bytes
}
