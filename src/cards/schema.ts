import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox'

// Character Card V2 (malfoyslastname/character-card-spec-v2) and V3 (kwaroran/character-card-spec-v3).
// The strict schemas are the normalised shapes we hand out (every field the spec requires is present);
// the lenient ones are what we accept: cards in the wild often omit fields, so only what a card cannot
// do without is required, but every field that is present must have the right type.

const Str = Type.String()
const StrList = Type.Array(Type.String())
/** Vendor data; kept verbatim, whatever it holds. */
const Extensions = Type.Record(Type.String(), Type.Unknown())

export const LorebookEntrySchema = Type.Object({
  keys: StrList,
  content: Str,
  extensions: Extensions,
  enabled: Type.Boolean(),
  insertion_order: Type.Number(),
  case_sensitive: Type.Optional(Type.Boolean()),
  /** V3: keys are regular expressions */
  use_regex: Type.Boolean(),
  constant: Type.Optional(Type.Boolean()),
  name: Type.Optional(Str),
  priority: Type.Optional(Type.Number()),
  id: Type.Optional(Type.Union([Type.Number(), Type.String()])),
  comment: Type.Optional(Str),
  selective: Type.Optional(Type.Boolean()),
  secondary_keys: Type.Optional(StrList),
  /** 'before_char' | 'after_char' in the spec; some tools write numbers */
  position: Type.Optional(Type.Union([Type.String(), Type.Number()])),
})

export const LorebookSchema = Type.Object({
  name: Type.Optional(Str),
  description: Type.Optional(Str),
  scan_depth: Type.Optional(Type.Number()),
  token_budget: Type.Optional(Type.Number()),
  recursive_scanning: Type.Optional(Type.Boolean()),
  extensions: Extensions,
  entries: Type.Array(LorebookEntrySchema),
})

export const AssetSchema = Type.Object({ type: Str, uri: Str, name: Str, ext: Str })

const V2Fields = {
  name: Str,
  description: Str,
  personality: Str,
  scenario: Str,
  first_mes: Str,
  mes_example: Str,
  creator_notes: Str,
  system_prompt: Str,
  post_history_instructions: Str,
  alternate_greetings: StrList,
  tags: StrList,
  creator: Str,
  character_version: Str,
  extensions: Extensions,
}

/** V2 lorebook entries have no `use_regex` (a V3 addition). */
export const LorebookV2Schema = Type.Object({ ...LorebookSchema.properties, entries: Type.Array(Type.Omit(LorebookEntrySchema, ['use_regex'])) })
export const CardV2DataSchema = Type.Object({ ...V2Fields, character_book: Type.Optional(LorebookV2Schema) })
export const CardV2Schema = Type.Object({ spec: Type.Literal('chara_card_v2'), spec_version: Type.Literal('2.0'), data: CardV2DataSchema })

export const CardDataSchema = Type.Object({
  ...V2Fields,
  character_book: Type.Optional(LorebookSchema),
  assets: Type.Optional(Type.Array(AssetSchema)),
  nickname: Type.Optional(Str),
  creator_notes_multilingual: Type.Optional(Type.Record(Type.String(), Type.String())),
  source: Type.Optional(StrList),
  group_only_greetings: StrList,
  /** unix seconds */
  creation_date: Type.Optional(Type.Number()),
  modification_date: Type.Optional(Type.Number()),
})
export const CardSchema = Type.Object({ spec: Type.Literal('chara_card_v3'), spec_version: Type.Literal('3.0'), data: CardDataSchema })

export type LorebookEntry = Static<typeof LorebookEntrySchema>
export type Lorebook = Static<typeof LorebookSchema>
export type Asset = Static<typeof AssetSchema>
export type CardData = Static<typeof CardDataSchema>
/** The normalised card: always the V3 shape. */
export type Card = Static<typeof CardSchema>
export type CardV2 = Static<typeof CardV2Schema>

/** Every property optional except `required`, with some replaced (nested lenient schemas). */
function lenient<T extends TProperties> (schema: TObject<T>, required: Array<keyof T & string>, replace: TProperties = {}): TObject {
  const props: TProperties = {}
  for (const [key, value] of Object.entries({ ...schema.properties, ...replace })) {
    props[key] = required.includes(key) ? value : Type.Optional(value)
  }
  return Type.Object(props)
}

const EntryIn = lenient(LorebookEntrySchema, ['keys', 'content'])
const BookIn = lenient(LorebookSchema, ['entries'], { entries: Type.Array(EntryIn) })
const NonEmpty = Type.String({ minLength: 1 })
/** What we accept as the `data` of a V2 card, and as a whole V1 card (flat fields, no spec). */
export const CardV2DataIn = lenient(CardV2DataSchema, ['name'], { name: NonEmpty, character_book: BookIn })
/** What we accept as the `data` of a V3 card. */
export const CardDataIn = lenient(CardDataSchema, ['name'], { name: NonEmpty, character_book: BookIn })
