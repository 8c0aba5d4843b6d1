import { Type } from '@sinclair/typebox'
import type { PersonaService } from '../personas/service.ts'
import { PersonaRef } from '../personas/schemas.ts'
import { defineMethod } from '../rpc/method.ts'
import { CardInput, ExportedCardView, ExportFormat, importedCardView, ImportedCardView } from './schemas.ts'
import type { CardService } from './service.ts'

export function createCardMethods ({ cards, personas }: { cards: CardService, personas: PersonaService }) {
  return [
    defineMethod({
      name: 'persona.import_card',
      description: 'Create a persona from a Character Card V2/V3 (JSON object, or base64 of a PNG, CHARX or JSON file). ' +
        'It is yours. A taken name is -32006 conflict (the name is never changed silently). The lorebook becomes the persona\'s ' +
        'lore memories; the card\'s system prompt, scenario, examples and activated lore reach its prompt. Invalid cards: -32602 with data.field.',
      params: Type.Object({ card: CardInput }),
      result: ImportedCardView,
      handler: async ({ card }, ctx) => importedCardView(await cards.importCard(card, ctx.connection.user)),
    }),
    defineMethod({
      name: 'persona.export_card',
      readOnly: true,
      description: 'Any persona as a Character Card V3: `json` gives the card, `png` its avatar (or a generated one) with both ccv3 and chara chunks, base64.',
      params: Type.Object({ persona_id: PersonaRef, format: ExportFormat }),
      result: ExportedCardView,
      handler: async ({ persona_id, format }) => {
        const persona = personas.get(persona_id)
        const exported = await cards.exportCard(persona)
        return format === 'png'
          ? { persona_id: persona.id, format, png_base64: (await exported.png()).toString('base64') }
          : { persona_id: persona.id, format, card: exported.card as ExportedCardView['card'] }
      },
    }),
  ]
}
