import { asAvatar, dataUriBytes, iconAsset, type Avatar } from './assets.ts'
import { isZip, readCharx, type CharxAsset } from './charx.ts'
import { CardError, limitsWith, type CardLimits } from './errors.ts'
import { parseCard } from './parse.ts'
import { readPngCard, stripCardChunks } from './png.ts'
import { isPng } from './png-chunks.ts'
import type { Card } from './schema.ts'

// One entry point for every way a card arrives: a JSON object (JSON-RPC `card` param), a JSON string,
// base64 of a PNG / CHARX / JSON file (JSON-RPC and MCP), or raw bytes (multipart upload).

export type CardFormat = 'json' | 'png' | 'charx'

export interface CardFile {
  card: Card
  format: CardFormat
  /** the image to use as the persona's avatar, when the file has one */
  avatar?: Avatar
  /** CHARX assets with their bytes */
  assets?: CharxAsset[]
}

function fromJsonText (text: string, limits: CardLimits): CardFile {
  let parsed: unknown
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new CardError('invalid_json', `not valid JSON: ${(err as Error).message}`)
  }
  return fromObject(parsed, limits)
}

/** A JSON card's avatar can only be a `data:` URI icon asset (we never fetch URLs). */
function fromObject (json: unknown, limits: CardLimits): CardFile {
  const card = parseCard(json)
  const icon = iconAsset(card.data.assets)
  const avatar = icon === undefined ? undefined : asAvatar(dataUriBytes(icon.uri, limits.maxBytes))
  return { card, format: 'json', ...(avatar === undefined ? {} : { avatar }) }
}

function fromBytes (bytes: Buffer, limits: CardLimits): CardFile {
  if (bytes.length > limits.maxBytes) throw new CardError('too_large', `file is ${bytes.length} bytes, more than the ${limits.maxBytes} allowed`)
  if (isPng(bytes)) {
    const { card } = readPngCard(bytes, limits)
    return { card, format: 'png', avatar: { mime: 'image/png', bytes: stripCardChunks(bytes, limits) } }
  }
  if (isZip(bytes)) {
    const { card, assets, avatar } = readCharx(bytes, limits)
    return { card, format: 'charx', assets, ...(avatar === undefined ? {} : { avatar }) }
  }
  const text = bytes.toString('utf8').trimStart()
  if (text.startsWith('{') || text.startsWith('\uFEFF{')) return fromJsonText(text, limits)
  throw new CardError('unsupported_format', 'unsupported file: expected a PNG card, a CHARX (zip) or card JSON')
}

/** base64 (or base64url, or a data: URI) -> bytes; refuses other text early, with a clear message. */
function decodeBase64 (text: string, limits: CardLimits): Buffer {
  const body = text.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '')
  if (body.length * 0.75 > limits.maxBytes) throw new CardError('too_large', `file is more than the ${limits.maxBytes} bytes allowed`)
  if (body.length === 0 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(body)) {
    throw new CardError('unsupported_format', 'card must be a card JSON object, JSON text, or base64 of a PNG, CHARX or JSON file')
  }
  return Buffer.from(body, 'base64')
}

/** A card from any of the accepted inputs; throws CardError (with `reason` and, for card fields, `field`). */
export function readCardFile (input: Uint8Array | string | object, overrides?: Partial<CardLimits>): CardFile {
  const limits = limitsWith(overrides)
  if (input instanceof Uint8Array) return fromBytes(Buffer.from(input.buffer, input.byteOffset, input.byteLength), limits)
  if (typeof input === 'string') {
    if (input.length > limits.maxBytes * 1.4) throw new CardError('too_large', `input is more than the ${limits.maxBytes} bytes allowed`)
    const trimmed = input.trimStart()
    if (trimmed.startsWith('{') || trimmed.startsWith('\uFEFF{')) return fromJsonText(trimmed, limits)
    return fromBytes(decodeBase64(trimmed, limits), limits)
  }
  return fromObject(input, limits)
}
