import { strToU8, unzipSync, zipSync, type Unzipped } from 'fflate'
import { asAvatar, embeddedPath, iconAsset, type Avatar } from './assets.ts'
import { CardError, limitsWith, type CardErrorReason, type CardLimits } from './errors.ts'
import { parseCard } from './parse.ts'
import type { Card } from './schema.ts'

// CHARX (V3 spec): a zip with `card.json` at its root and the files its `assets` point to
// (`embeded://assets/icon/images/main.png`). Unzipping is bounded twice: the entry count and the declared
// uncompressed sizes are checked before anything is inflated, and fflate inflates each entry into a buffer
// of exactly its declared size, so a zip that lies about sizes cannot grow past the bound either.

export interface CharxAsset {
  type: string
  name: string
  ext: string
  uri: string
  /** the file inside the zip, for embedded assets */
  path?: string
  bytes?: Buffer
}

export interface CharxContent {
  card: Card
  assets: CharxAsset[]
  avatar?: Avatar
}

export function isZip (bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
}

/** A zip's files, bounded (entries, declared sizes) before anything inflates; `what` names it in errors (CHARX, bundle). */
export function unzipBounded (zip: Uint8Array, limits: Pick<CardLimits, 'maxEntries' | 'maxUncompressedBytes'>, what = 'CHARX',
  unreadable: CardErrorReason = 'invalid_charx'): Unzipped {
  let entries = 0
  let total = 0
  try {
    return unzipSync(zip, {
      filter: (file) => {
        if (++entries > limits.maxEntries) throw new CardError('too_large', `${what} has more than ${limits.maxEntries} entries`)
        if (file.name.endsWith('/')) return false
        total += file.originalSize
        if (total > limits.maxUncompressedBytes) {
          throw new CardError('too_large', `${what} unpacks to more than ${limits.maxUncompressedBytes} bytes`)
        }
        return true
      },
    })
  } catch (err) {
    if (err instanceof CardError) throw err
    throw new CardError(unreadable, `not a readable zip: ${(err as Error).message}`)
  }
}

/** The card and assets of a CHARX zip; the main icon becomes the avatar. Throws CardError. */
export function readCharx (zip: Uint8Array, overrides?: Partial<CardLimits>): CharxContent {
  const limits = limitsWith(overrides)
  if (zip.length > limits.maxBytes) throw new CardError('too_large', `CHARX is ${zip.length} bytes, more than the ${limits.maxBytes} allowed`)
  const files = unzipBounded(zip, limits)
  const cardJson = files['card.json']
  if (cardJson === undefined) throw new CardError('invalid_charx', 'CHARX has no card.json')
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cardJson).toString('utf8'))
  } catch {
    throw new CardError('invalid_json', 'card.json of the CHARX is not JSON')
  }
  const card = parseCard(parsed)
  const assets = (card.data.assets ?? []).map((asset): CharxAsset => {
    const path = embeddedPath(asset.uri)
    const bytes = path === undefined ? undefined : files[path]
    return { ...asset, ...(path === undefined ? {} : { path }), ...(bytes === undefined ? {} : { bytes: Buffer.from(bytes) }) }
  })
  const icon = iconAsset(card.data.assets)
  const avatar = asAvatar(assets.find((a) => a.uri === icon?.uri)?.bytes)
  return { card, assets, ...(avatar === undefined ? {} : { avatar }) }
}

/**
 * A CHARX zip of a card; with an avatar, it is stored as `assets/icon/images/main.<ext>` and the card's
 * assets list points at it (replacing any other main icon).
 */
export function writeCharx (card: Card, avatar?: Avatar): Buffer {
  const out = structuredClone(card)
  const files: Record<string, Uint8Array> = {}
  if (avatar !== undefined) {
    const ext = avatar.mime.split('/')[1]!.replace('jpeg', 'jpg')
    const path = `assets/icon/images/main.${ext}`
    files[path] = avatar.bytes
    const others = (out.data.assets ?? []).filter((a) => !(a.type === 'icon' && a.name === 'main'))
    out.data.assets = [{ type: 'icon', uri: `embeded://${path}`, name: 'main', ext }, ...others]
  }
  files['card.json'] = strToU8(JSON.stringify(out))
  return Buffer.from(zipSync(files))
}
