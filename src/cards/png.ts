import { toV2 } from './convert.ts'
import { CardError, limitsWith, type CardLimits } from './errors.ts'
import { parseCard } from './parse.ts'
import { encodeChunks, parseTextChunk, readChunks, textChunk, type PngChunk } from './png-chunks.ts'
import type { Card } from './schema.ts'

// Cards inside PNG images: tEXt chunk `chara` (base64 JSON of a V2 card, what SillyTavern writes and reads)
// and `ccv3` (base64 JSON of a V3 card, the V3 spec). Readers prefer ccv3.

export type CardChunk = 'ccv3' | 'chara'
const CARD_KEYWORDS: readonly CardChunk[] = ['ccv3', 'chara']
const TEXT_TYPES = new Set(['tEXt', 'iTXt', 'zTXt'])

/** SillyTavern matches the keyword case-insensitively; so do we. */
function cardKeyword (chunk: PngChunk): CardChunk | undefined {
  if (!TEXT_TYPES.has(chunk.type)) return undefined
  const keyword = chunk.data.subarray(0, Math.min(chunk.data.length, 80)).toString('latin1').split('\0')[0]!.toLowerCase()
  return CARD_KEYWORDS.find((k) => k === keyword)
}

function decodeCardText (keyword: CardChunk, text: string, limits: CardLimits): Card {
  if (text.length > limits.maxTextBytes) {
    throw new CardError('too_large', `PNG chunk ${keyword} is ${text.length} bytes, more than the ${limits.maxTextBytes} allowed`)
  }
  const trimmed = text.trim()
  // a few old tools wrote the JSON itself rather than its base64
  const json = trimmed.startsWith('{') ? trimmed : decodeBase64(keyword, trimmed)
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    throw new CardError('invalid_json', `PNG chunk ${keyword} does not hold JSON`)
  }
  return parseCard(parsed)
}

function decodeBase64 (keyword: CardChunk, text: string): string {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text.replace(/\s+/g, ''))) {
    throw new CardError('invalid_png', `PNG chunk ${keyword} is not base64`)
  }
  return Buffer.from(text, 'base64').toString('utf8')
}

/** The card of a PNG: `ccv3` when it holds a valid card, else `chara`. Throws CardError. */
export function readPngCard (png: Buffer, overrides?: Partial<CardLimits>): { card: Card, chunk: CardChunk } {
  const limits = limitsWith(overrides)
  const texts = new Map<CardChunk, string>()
  for (const chunk of readChunks(png, limits.maxBytes)) {
    const keyword = cardKeyword(chunk)
    if (keyword === undefined || texts.has(keyword)) continue
    if (chunk.type !== 'tEXt') throw new CardError('invalid_png', `PNG chunk ${keyword} must be tEXt, not ${chunk.type}`)
    const text = parseTextChunk(chunk.data)
    if (text === undefined) throw new CardError('invalid_png', `PNG chunk ${keyword} has no text`)
    texts.set(keyword, text.text)
  }
  const v3 = texts.get('ccv3')
  const v2 = texts.get('chara')
  if (v3 === undefined && v2 === undefined) throw new CardError('invalid_png', 'PNG has no character card (no chara or ccv3 text chunk)')
  if (v3 !== undefined) {
    try {
      return { card: decodeCardText('ccv3', v3, limits), chunk: 'ccv3' }
    } catch (err) {
      // a broken ccv3 beside a good chara still imports: the V2 data is the same character
      if (v2 === undefined || !(err instanceof CardError)) throw err
      try {
        return { card: decodeCardText('chara', v2, limits), chunk: 'chara' }
      } catch {
        throw err
      }
    }
  }
  return { card: decodeCardText('chara', v2!, limits), chunk: 'chara' }
}

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64')

/** The same image with card chunks removed: what we serve as the avatar. */
export function stripCardChunks (png: Buffer, overrides?: Partial<CardLimits>): Buffer {
  const chunks = readChunks(png, limitsWith(overrides).maxBytes)
  return encodeChunks(chunks.filter((c) => cardKeyword(c) === undefined))
}

/** The image with `ccv3` (the card) and `chara` (its V2 twin) set, replacing any card chunks it had. */
export function writePngCard (png: Buffer, card: Card, overrides?: Partial<CardLimits>): Buffer {
  const chunks = readChunks(png, limitsWith(overrides).maxBytes).filter((c) => cardKeyword(c) === undefined)
  const iend = chunks.length - 1 // readChunks ends with IEND or throws
  chunks.splice(iend, 0, textChunk('chara', base64Json(toV2(card))), textChunk('ccv3', base64Json(card)))
  return encodeChunks(chunks)
}
