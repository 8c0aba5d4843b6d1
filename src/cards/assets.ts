import type { Asset } from './schema.ts'

// Card assets (V3 `assets`): which one is the avatar, what image a byte string is, data: URIs.

export interface Avatar {
  mime: string
  bytes: Buffer
}

/** The image type from magic bytes, never from a name: a served avatar's Content-Type must match its bytes. */
export function sniffImageMime (bytes: Uint8Array): string | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png'
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg'
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return 'image/gif'
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp'
  if (b.length >= 12 && b.toString('latin1', 4, 12) === 'ftypavif') return 'image/avif'
  return undefined
}

/** The avatar asset of a card: the icon named "main" (the V3 spec's main icon), else the first icon. */
export function iconAsset (assets: readonly Asset[] | undefined): Asset | undefined {
  const icons = (assets ?? []).filter((a) => a.type === 'icon')
  return icons.find((a) => a.name === 'main') ?? icons[0]
}

/** `embeded://path` (the spec's spelling; `embedded://` tolerated) -> the path inside a CHARX, else undefined. */
export function embeddedPath (uri: string): string | undefined {
  const match = /^embedd?ed:\/\/(.+)$/.exec(uri)
  if (match === null) return undefined
  const path = match[1]!.replace(/^\/+/, '')
  return path.split('/').includes('..') ? undefined : path
}

/** Bytes of a base64 `data:` URI (the V3 spec allows them for assets of JSON and PNG cards). */
export function dataUriBytes (uri: string, maxBytes: number): Buffer | undefined {
  const match = /^data:[^,;]*(?:;[^,;]*)*;base64,/.exec(uri)
  if (match === null || (uri.length - match[0].length) * 0.75 > maxBytes) return undefined
  return Buffer.from(uri.slice(match[0].length), 'base64')
}

/** An asset's bytes as an avatar when they are an image we can serve. */
export function asAvatar (bytes: Uint8Array | undefined): Avatar | undefined {
  if (bytes === undefined) return undefined
  const mime = sniffImageMime(bytes)
  return mime === undefined ? undefined : { mime, bytes: Buffer.from(bytes) }
}
