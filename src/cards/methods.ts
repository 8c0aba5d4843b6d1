import { Type } from '@sinclair/typebox'
import type { PersonaService } from '../personas/service.ts'
import { PersonaRef } from '../personas/schemas.ts'
import { defineMethod } from '../rpc/method.ts'
import type { CardService } from './service.ts'

/** base64 of a card file up to the library's byte bound (16 MiB), with room for the encoding */
const CARD_TEXT_MAX = 23_000_000

export const CardInput = Type.Union([
  Type.String({ minLength: 1, maxLength: CARD_TEXT_MAX, description: 'base64 of a PNG, CHARX or JSON card file, or the card\'s JSON text' }),
  Type.Record(Type.String(), Type.Unknown(), { description: 'a Character Card V1/V2/V3 JSON object' }),
])

export function createCardMethods ({ cards, personas }: { cards: CardService, personas: PersonaService }) {
  return [
    defineMethod({
      name: 'persona.import_card',
      description: 'Create a persona from a Character Card V2/V3 (JSON object, or base64 of a PNG, CHARX or JSON file). ' +
        'It is yours. A taken name is -32006 conflict (the name is never changed silently). The lorebook becomes the persona\'s ' +
        'lore memories; the card\'s system prompt, scenario, examples and activated lore reach its prompt. Invalid cards: -32602 with data.field.',
      params: Type.Object({ card: CardInput }),
      result: Type.Object({
        persona_id: Type.String(),
        name: Type.String(),
        format: Type.Union([Type.Literal('json'), Type.Literal('png'), Type.Literal('charx')]),
        warnings: Type.Array(Type.String()),
        lore_memories: Type.Integer({ description: 'lorebook entries stored as lore memories' }),
        has_avatar: Type.Boolean(),
        greeting: Type.Union([Type.String(), Type.Null()], { description: 'the card\'s first message' }),
      }),
      handler: async ({ card }, ctx) => {
        const imported = await cards.importCard(card, ctx.connection.user)
        const extras = cards.extrasOf(imported.persona.id)
        return {
          persona_id: imported.persona.id, name: imported.persona.name, format: imported.format, warnings: imported.warnings,
          lore_memories: imported.loreMemories, has_avatar: cards.avatarOf(imported.persona.id) !== undefined,
          greeting: extras?.first_mes || null,
        }
      },
    }),
    defineMethod({
      name: 'persona.export_card',
      readOnly: true,
      description: 'Any persona as a Character Card V3: `json` gives the card, `png` its avatar (or a generated one) with both ccv3 and chara chunks, base64.',
      params: Type.Object({ persona_id: PersonaRef, format: Type.Union([Type.Literal('json'), Type.Literal('png')], { default: 'json' }) }),
      result: Type.Object({
        persona_id: Type.String(),
        format: Type.String(),
        card: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        png_base64: Type.Optional(Type.String()),
      }),
      handler: ({ persona_id, format }) => {
        const persona = personas.get(persona_id)
        const exported = cards.exportCard(persona)
        return format === 'png'
          ? { persona_id: persona.id, format, png_base64: exported.png().toString('base64') }
          : { persona_id: persona.id, format, card: exported.card as unknown as Record<string, unknown> }
      },
    }),
  ]
}
