import type { TSchema } from '@sinclair/typebox'
import { toCard, type LooseCardData } from './convert.ts'
import { CardError } from './errors.ts'
import { assertValid } from './validate.ts'
import { CardDataIn, CardV2DataIn, type Card } from './schema.ts'

// parseCard: any V1/V2/V3 card JSON -> the normalised V3 `Card`, or a CardError naming the failing field.

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const withoutNulls = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null))

/** Tools write `null` for "not set"; treat it as absent (not inside extensions, which stay verbatim). */
function dropNulls (data: Record<string, unknown>): Record<string, unknown> {
  const out = withoutNulls(data)
  if (isRecord(out.character_book)) {
    const book = withoutNulls(out.character_book)
    if (Array.isArray(book.entries)) book.entries = book.entries.map((e) => isRecord(e) ? withoutNulls(e) : e)
    out.character_book = book
  }
  return out
}

function checked (schema: TSchema, value: unknown, prefix: string): LooseCardData {
  if (!isRecord(value)) throw new CardError('invalid_card', 'expected an object', prefix === '' ? 'card' : prefix)
  const data = dropNulls(value)
  assertValid(schema, data, prefix)
  return data as LooseCardData
}

/** Pygmalion/TavernAI V1 names of the same fields. */
const V1_ALIASES: Record<string, string> = {
  char_name: 'name',
  char_persona: 'description',
  world_scenario: 'scenario',
  char_greeting: 'first_mes',
  example_dialogue: 'mes_example',
}

function fromV1 (json: Record<string, unknown>): Record<string, unknown> {
  const out = { ...json }
  for (const [alias, field] of Object.entries(V1_ALIASES)) {
    if (out[field] === undefined && out[alias] !== undefined) out[field] = out[alias]
  }
  return out
}

/** Any V1 (flat fields), V2 or V3 card as the V3 shape; throws CardError naming the failing field. */
export function parseCard (json: unknown): Card {
  if (!isRecord(json)) throw new CardError('invalid_card', 'expected a JSON object', 'card')
  const { spec } = json
  if (spec === 'chara_card_v3') {
    // the V3 spec asks readers to accept later 3.x minor versions
    if (typeof json.spec_version !== 'string' || !/^3(\.\d+)?$/.test(json.spec_version)) {
      throw new CardError('invalid_card', 'expected "3.0"', 'spec_version')
    }
    return toCard(checked(CardDataIn, json.data, 'data'))
  }
  if (spec === 'chara_card_v2') return toCard(checked(CardV2DataIn, json.data, 'data'))
  if (spec === undefined) {
    // some exporters write V2 `data` without `spec`; anything else flat is V1
    if (isRecord(json.data)) return toCard(checked(CardV2DataIn, json.data, 'data'))
    return toCard(checked(CardV2DataIn, fromV1(json), ''))
  }
  throw new CardError('invalid_card', `unsupported ${JSON.stringify(spec).slice(0, 40)}: expected "chara_card_v2" or "chara_card_v3"`, 'spec')
}
