import type { TSchema } from '@sinclair/typebox'
import { Value, type ValueError } from '@sinclair/typebox/value'
import { CardError, type CardErrorReason } from './errors.ts'

// TypeBox validation with errors that name the card field, e.g. `data.character_book.entries[0].keys`.

/** `/character_book/entries/0/keys` under `data` -> `data.character_book.entries[0].keys` */
export function fieldPath (prefix: string, pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  let out = prefix
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : (out === '' ? part : `.${part}`)
  return out === '' ? 'card' : out
}

/** TypeBox's message, in the words a card author understands. */
function describe (error: ValueError): string {
  const anyOf = (error.schema as { anyOf?: Array<{ type?: string }> }).anyOf
  if (anyOf !== undefined) return `expected ${anyOf.map((s) => s.type).join(' or ')}`
  if (error.message === 'Expected required property') return 'is required'
  if (error.schema.minLength === 1 && typeof error.value === 'string') return 'expected a non-empty string'
  return error.message.charAt(0).toLowerCase() + error.message.slice(1)
}

/** Throws a CardError for the first field of `value` that does not follow `schema`. */
export function assertValid (schema: TSchema, value: unknown, prefix: string, reason: CardErrorReason = 'invalid_card'): void {
  const first = Value.Errors(schema, value).First()
  if (first !== undefined) throw new CardError(reason, describe(first), fieldPath(prefix, first.path))
}
