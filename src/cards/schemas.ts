import { Type, type Static } from '@sinclair/typebox'
import { PersonaExtensionSchema } from './persona-extension.ts'
import { CardDataSchema, LorebookEntrySchema, LorebookSchema } from './schema.ts'
import type { ImportedCard } from './service.ts'

// Wire shapes of card import and export, shared by the JSON-RPC methods and the admin API.

/** base64 of a card file up to the library's byte bound (16 MiB), with room for the encoding */
const CARD_TEXT_MAX = 23_000_000

export const CardInput = Type.Union([
  Type.String({ minLength: 1, maxLength: CARD_TEXT_MAX, description: 'base64 of a PNG, CHARX or JSON card file, or the card\'s JSON text' }),
  Type.Record(Type.String(), Type.Unknown(), { description: 'a Character Card V1/V2/V3 JSON object' }),
])

export const CardFormat = Type.Union([Type.Literal('json'), Type.Literal('png'), Type.Literal('charx')])
export const ExportFormat = Type.Union([Type.Literal('json'), Type.Literal('png')], { default: 'json' })

export const ImportedCardView = Type.Object({
  persona_id: Type.String(),
  name: Type.String(),
  format: CardFormat,
  warnings: Type.Array(Type.String()),
  lore_memories: Type.Integer({ description: 'lorebook entries stored as lore memories' }),
  has_avatar: Type.Boolean(),
  greeting: Type.Union([Type.String(), Type.Null()], { description: 'the card\'s first message' }),
})

// A card we hand out: the V3 shape of schema.ts, its vendor extensions open by nature (kept verbatim from
// the card imported: any JSON), except ours, persona_mcp, which every exported card carries.
const VendorData = Type.Object({}, { additionalProperties: true, description: 'vendor extensions, kept verbatim: any JSON' })
const LorebookEntryView = Type.Composite([Type.Omit(LorebookEntrySchema, ['extensions']), Type.Object({ extensions: VendorData })])
const LorebookView = Type.Composite([
  Type.Omit(LorebookSchema, ['extensions', 'entries']),
  Type.Object({ extensions: VendorData, entries: Type.Array(LorebookEntryView) }),
])
const CardDataView = Type.Composite([
  Type.Omit(CardDataSchema, ['extensions', 'character_book']),
  Type.Object({
    extensions: Type.Object({ persona_mcp: PersonaExtensionSchema }, {
      additionalProperties: true, description: 'persona_mcp: the persona fields no card field holds; other vendors\' extensions verbatim',
    }),
    character_book: Type.Optional(LorebookView),
  }),
])
export const CardView = Type.Object({ spec: Type.Literal('chara_card_v3'), spec_version: Type.Literal('3.0'), data: CardDataView })

export const ExportedCardView = Type.Object({
  persona_id: Type.String(),
  format: Type.Union([Type.Literal('json'), Type.Literal('png')]),
  card: Type.Optional(CardView),
  png_base64: Type.Optional(Type.String({ description: 'the PNG file, base64' })),
})

export type ImportedCardView = Static<typeof ImportedCardView>
export type ExportedCardView = Static<typeof ExportedCardView>

export const importedCardView = ({ persona, format, warnings, loreMemories, extras, hasAvatar }: ImportedCard): ImportedCardView => ({
  persona_id: persona.id, name: persona.name, format, warnings, lore_memories: loreMemories, has_avatar: hasAvatar, greeting: extras.first_mes || null,
})
