// One error type for everything that can be wrong with a card file, so the wiring maps it to a single
// JSON-RPC InvalidParams / HTTP 400 with a stable reason and the failing field.

export type CardErrorReason =
  | 'invalid_card' // the JSON does not follow the V1/V2/V3 shape; `field` names where
  | 'invalid_json'
  | 'invalid_png'
  | 'invalid_charx'
  | 'unsupported_format'
  | 'too_large'
  | 'invalid_bundle' // a persona bundle (src/cards/bundle-format.ts) that is not one; `field` names the file and field

export class CardError extends Error {
  readonly reason: CardErrorReason
  /** dotted path of the failing field (e.g. `data.name`), when the error is about one */
  readonly field?: string

  constructor (reason: CardErrorReason, message: string, field?: string) {
    super(field === undefined ? message : `${field}: ${message}`)
    this.name = 'CardError'
    this.reason = reason
    if (field !== undefined) this.field = field
  }
}

/** Common bounds of every reader; a caller may lower them. */
export interface CardLimits {
  /** largest file accepted, in bytes (PNG, CHARX or JSON) */
  maxBytes: number
  /** largest text chunk of a PNG, in bytes */
  maxTextBytes: number
  /** most entries of a CHARX zip */
  maxEntries: number
  /** largest total uncompressed size of a CHARX zip, in bytes */
  maxUncompressedBytes: number
}

export const DEFAULT_LIMITS: Readonly<CardLimits> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxTextBytes: 8 * 1024 * 1024,
  maxEntries: 256,
  maxUncompressedBytes: 50 * 1024 * 1024,
})

export function limitsWith (overrides?: Partial<CardLimits>): CardLimits {
  return { ...DEFAULT_LIMITS, ...overrides }
}
