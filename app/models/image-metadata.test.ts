import zlib from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { checkUploadedImage, MAX_IMAGE_SIDE } from '~/models/campaign-image.server'

// Hero images (and organisation logos) kept what the camera wrote: EXIF with the GPS
// position of the photographer, PNG text chunks. Uploads are decoded and encoded again, pixels only.

const GPS = { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' }

async function photoWithGps(format: 'jpeg' | 'webp' | 'png') {
  const image = sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .withMetadata({ orientation: 6 })
    .withExifMerge({ IFD0: { Make: 'SecretCam', Model: 'Serial 0042', ImageDescription: 'home address here' }, IFD3: GPS })
  return await (format === 'jpeg' ? image.jpeg() : format === 'webp' ? image.webp() : image.png()).toBuffer()
}

/** A PNG with tEXt and iTXt chunks (say, `Comment`), inserted after IHDR. */
function withTextChunks(png: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(zlib.crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const ihdrEnd = 8 + 4 + 4 + 13 + 4
  return Buffer.concat([
    png.subarray(0, ihdrEnd),
    chunk('tEXt', Buffer.from('Comment\0taken at 51.5N 0.12W by the activist', 'latin1')),
    chunk('iTXt', Buffer.from('Location\0\0\0\0\0Москва, ул. Тверская 1', 'utf8')),
    png.subarray(ihdrEnd),
  ])
}

const upload = async (bytes: Buffer, name: string) => {
  const result = await checkUploadedImage(new File([new Uint8Array(bytes)], name))
  if (!('image' in result)) throw new Error(`refused: ${result.problem}`)
  return result.image
}

const SECRETS = ['SecretCam', 'Serial 0042', 'home address', 'Exif', 'activist', 'Comment', 'Location', 'Тверская', 'GPS']

describe('uploaded images are re-encoded without their metadata', () => {
  it.each(['jpeg', 'webp', 'png'] as const)('a %s photo with EXIF GPS keeps no EXIF, and is turned upright first', async (format) => {
    const original = await photoWithGps(format)
    const before = await sharp(original).metadata()
    expect(before.exif?.toString('latin1')).toContain('SecretCam') // the fixture does carry it
    expect(before.orientation).toBe(6)
    const image = await upload(original, `photo.${format}`)
    const after = await sharp(image.bytes).metadata()
    expect(after.exif).toBeUndefined()
    expect(after.xmp).toBeUndefined()
    expect(after.iptc).toBeUndefined()
    expect(after.orientation).toBeUndefined()
    const text = image.bytes.toString('latin1')
    for (const secret of SECRETS) expect(text).not.toContain(secret)
    // Orientation 6 (rotate 90°): the 64×32 picture is stored as the 32×64 it was meant to be.
    expect(image).toMatchObject({ contentType: `image/${format}`, width: 32, height: 64 })
  })

  it('a PNG keeps no tEXt, iTXt or eXIf chunk', async () => {
    const original = withTextChunks(await photoWithGps('png'))
    expect(original.toString('latin1')).toContain('tEXt')
    const image = await upload(original, 'logo.png')
    const chunks: string[] = []
    for (let offset = 8; offset < image.bytes.length;) {
      const length = image.bytes.readUInt32BE(offset)
      chunks.push(image.bytes.toString('ascii', offset + 4, offset + 8))
      offset += 12 + length
    }
    expect(chunks.filter((type) => !['IHDR', 'IDAT', 'IEND', 'PLTE', 'tRNS', 'pHYs'].includes(type))).toEqual([])
    for (const secret of SECRETS) expect(image.bytes.toString('utf8')).not.toContain(secret)
  })

  it('refuses bytes that look like an image but do not decode, and scales down very large images', async () => {
    const truncated = (await photoWithGps('png')).subarray(0, 40)
    expect(await checkUploadedImage(new File([new Uint8Array(truncated)], 'broken.png'))).toEqual({ problem: 'admin.image.error.type' })
    const wide = await sharp({ create: { width: MAX_IMAGE_SIDE + 800, height: 100, channels: 3, background: '#fff' } })
      .png()
      .toBuffer()
    expect(await upload(wide, 'wide.png')).toMatchObject({ width: MAX_IMAGE_SIDE, height: Math.round((100 * MAX_IMAGE_SIDE) / (MAX_IMAGE_SIDE + 800)) })
  })
})
