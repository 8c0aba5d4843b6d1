import { deflateSync } from 'node:zlib'
import { CardError } from './errors.ts'

// A compact PNG chunk reader/writer. Own code rather than png-chunks-extract/-encode: those are untyped
// 2016-era packages without bounds, and the whole format is length + type + data + CRC-32 (which Node 20's
// zlib does not expose, hence the table below).

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

export interface PngChunk {
  type: string
  data: Buffer
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export function crc32 (...parts: Uint8Array[]): number {
  let crc = 0xffffffff
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) crc = CRC_TABLE[(crc ^ part[i]!) & 0xff]! ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}

export function isPng (bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 8))
}

/** Every chunk up to IEND, each CRC checked; refuses anything truncated or malformed. */
export function readChunks (png: Buffer, maxBytes: number): PngChunk[] {
  if (png.length > maxBytes) throw new CardError('too_large', `PNG is ${png.length} bytes, more than the ${maxBytes} allowed`)
  if (!isPng(png)) throw new CardError('invalid_png', 'not a PNG file (bad signature)')
  const chunks: PngChunk[] = []
  let pos = 8
  while (pos < png.length) {
    if (pos + 12 > png.length) throw new CardError('invalid_png', `PNG truncated at byte ${pos}`)
    const length = png.readUInt32BE(pos)
    const typeBytes = png.subarray(pos + 4, pos + 8)
    const type = typeBytes.toString('latin1')
    if (!/^[A-Za-z]{4}$/.test(type)) throw new CardError('invalid_png', `bad chunk type at byte ${pos}`)
    const end = pos + 12 + length
    if (end > png.length) throw new CardError('invalid_png', `PNG truncated: chunk ${type} at byte ${pos} runs past the end`)
    const data = png.subarray(pos + 8, pos + 8 + length)
    if (crc32(typeBytes, data) !== png.readUInt32BE(pos + 8 + length)) {
      throw new CardError('invalid_png', `bad CRC in chunk ${type} at byte ${pos}`)
    }
    chunks.push({ type, data })
    pos = end
    if (type === 'IEND') return chunks
  }
  throw new CardError('invalid_png', 'PNG truncated: no IEND chunk')
}

export function encodeChunks (chunks: readonly PngChunk[]): Buffer {
  const parts: Buffer[] = [PNG_SIGNATURE]
  for (const { type, data } of chunks) {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(data.length, 0)
    head.write(type, 4, 'latin1')
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(head.subarray(4), data), 0)
    parts.push(head, data, crc)
  }
  return Buffer.concat(parts)
}

/** A tEXt chunk: latin-1 keyword, NUL, latin-1 text (base64 card JSON is plain ASCII). */
export function textChunk (keyword: string, text: string): PngChunk {
  return { type: 'tEXt', data: Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]) }
}

export function parseTextChunk (data: Buffer): { keyword: string, text: string } | undefined {
  const nul = data.indexOf(0)
  if (nul < 1 || nul > 79) return undefined
  return { keyword: data.subarray(0, nul).toString('latin1'), text: data.subarray(nul + 1).toString('latin1') }
}

/** An 8-bit RGB, non-interlaced PNG of `rgb` (width * height * 3 bytes, rows top to bottom). */
export function encodeRgbPng (width: number, height: number, rgb: Uint8Array): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace
  const stride = width * 3
  const raw = Buffer.alloc((stride + 1) * height)
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1) // filter 0
  return encodeChunks([{ type: 'IHDR', data: header }, { type: 'IDAT', data: deflateSync(raw) }, { type: 'IEND', data: Buffer.alloc(0) }])
}
