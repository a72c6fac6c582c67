import crypto from 'node:crypto'
import sharp from 'sharp'
import type { ImageType } from '#db/types'
import { getDb, type Executor } from '~/utils/db.server'

/** The largest hero image accepted, in bytes. */
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024

/** Served for a year and never revalidated: a new image gets a new URL (its hash is part of it). */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable'

export interface DetectedImage {
  contentType: ImageType
  width: number | null
  height: number | null
}

export type ImageProblem = 'admin.image.error.tooLarge' | 'admin.image.error.type' | 'admin.image.error.empty'

/**
 * The image's real type, from its first bytes (never the browser's word for it), and its size in
 * pixels when the header says so cheaply. Null for anything that is not JPEG, PNG or WebP.
 */
export function detectImage(bytes: Buffer): DetectedImage | null {
  if (bytes.length >= 24 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    // The IHDR chunk always comes first.
    return { contentType: 'image/png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return { contentType: 'image/jpeg', ...jpegSize(bytes) }
  }
  if (bytes.length >= 16 && bytes.toString('ascii', 0, 4) === 'RIFF' && bytes.toString('ascii', 8, 12) === 'WEBP') {
    return { contentType: 'image/webp', ...webpSize(bytes) }
  }
  return null
}

function jpegSize(bytes: Buffer): { width: number | null; height: number | null } {
  let offset = 2
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return { width: null, height: null }
    const marker = bytes[offset + 1]!
    if (marker === 0xff) {
      offset += 1
      continue
    }
    const length = bytes.readUInt16BE(offset + 2)
    // Start-of-frame markers (SOF0..SOF15, except DHT, JPG and DAC) carry the dimensions.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) }
    }
    offset += 2 + length
  }
  return { width: null, height: null }
}

function webpSize(bytes: Buffer): { width: number | null; height: number | null } {
  const chunk = bytes.toString('ascii', 12, 16)
  if (chunk === 'VP8X' && bytes.length >= 30) {
    return { width: 1 + bytes.readUIntLE(24, 3), height: 1 + bytes.readUIntLE(27, 3) }
  }
  if (chunk === 'VP8 ' && bytes.length >= 30) {
    return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff }
  }
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = bytes.readUInt32LE(21)
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) }
  }
  return { width: null, height: null }
}

export interface CheckedImage extends DetectedImage {
  bytes: Buffer
  sha256: string
}

/** An uploaded file checked for size and type: the image to store, or the problem (a translation key). */
export async function checkUploadedImage(file: File): Promise<{ image: CheckedImage } | { problem: ImageProblem }> {
  if (file.size === 0) return { problem: 'admin.image.error.empty' }
  if (file.size > MAX_IMAGE_BYTES) return { problem: 'admin.image.error.tooLarge' }
  const upload = Buffer.from(await file.arrayBuffer())
  const detected = detectImage(upload)
  if (!detected) return { problem: 'admin.image.error.type' }
  const encoded = await reencodeImage(upload, detected.contentType)
  if (!encoded) return { problem: 'admin.image.error.type' }
  return { image: { ...encoded, sha256: crypto.createHash('sha256').update(encoded.bytes).digest('hex') } }
}

/** Larger images are refused before decoding (a small file can declare a huge canvas). */
export const MAX_IMAGE_PIXELS = 40_000_000
/** Wider or taller images are scaled down to this on upload: more than any page shows. */
export const MAX_IMAGE_SIDE = 3200

/**
 * The image decoded and encoded again in its own format, pixels only: EXIF (with GPS positions
 * and camera serials), XMP, IPTC, ICC profiles and PNG text chunks never survive (decision 0015).
 * The EXIF orientation is applied first, so a portrait photo stays upright without its tag.
 * Null when the bytes do not decode. sharp works off the event loop (libuv's thread pool).
 */
export async function reencodeImage(bytes: Buffer, contentType: ImageType): Promise<(DetectedImage & { bytes: Buffer }) | null> {
  try {
    const pipeline = sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' })
      .rotate()
      .resize({ width: MAX_IMAGE_SIDE, height: MAX_IMAGE_SIDE, fit: 'inside', withoutEnlargement: true })
    const encoder =
      contentType === 'image/png'
        ? pipeline.png({ compressionLevel: 9 })
        : contentType === 'image/webp'
          ? pipeline.webp({ quality: 85 })
          : pipeline.jpeg({ quality: 85, mozjpeg: true })
    const { data, info } = await encoder.toBuffer({ resolveWithObject: true })
    return { bytes: data, contentType, width: info.width, height: info.height }
  } catch {
    return null
  }
}

export function imageUrl(image: { id: string; sha256: string }): string {
  return `/media/${image.id}/${image.sha256}`
}

/** The stored image behind a media URL; both the id and the hash must match. */
export async function getImageForServing(id: string, sha256: string, executor: Executor = getDb()) {
  if (!/^\d{1,18}$/.test(id) || !/^[0-9a-f]{64}$/.test(sha256)) return null
  return (
    (await executor
      .selectFrom('campaign_images')
      .select(['content_type', 'bytes', 'byte_size', 'sha256'])
      .where('id', '=', id)
      .where('sha256', '=', sha256)
      .executeTakeFirst()) ?? null
  )
}
