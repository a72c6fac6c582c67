import { Transform } from 'node:stream'

/**
 * React 18's streaming renderer encodes HTML into a 2 KB buffer and, when a multi-byte character
 * (any Cyrillic letter) would straddle the buffer's end, flushes the unwritten tail as NUL bytes
 * (react#24985, fixed in React 19 only). Browsers show them as stray characters and text breaks
 * mid-word. U+0000 is never valid in HTML and a 0x00 byte is never part of another UTF-8
 * character, so dropping every NUL byte restores exactly what React meant to write.
 */
export function withoutNulBytes(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (chunk.indexOf(0) === -1) return callback(null, chunk)
      const kept = Buffer.allocUnsafe(chunk.length)
      let length = 0
      for (const byte of chunk) if (byte !== 0) kept[length++] = byte
      callback(null, kept.subarray(0, length))
    },
  })
}
