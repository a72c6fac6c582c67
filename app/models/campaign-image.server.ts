import crypto from 'node:crypto'
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
  const bytes = Buffer.from(await file.arrayBuffer())
  const detected = detectImage(bytes)
  if (!detected) return { problem: 'admin.image.error.type' }
  return { image: { ...detected, bytes, sha256: crypto.createHash('sha256').update(bytes).digest('hex') } }
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
