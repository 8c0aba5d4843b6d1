import type { PromptContext } from '../conversation/service.ts'
import type { MemoryService } from '../memory/service.ts'
import type { PersonaService } from '../personas/service.ts'
import type { Persona } from '../personas/types.ts'
import { personaPatch } from '../personas/views.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import type { Avatar } from './assets.ts'
import { avatarPng } from './avatar.ts'
import { createAvatarIcons, type AvatarIcon } from './avatar-icons.ts'
import { readCardFile } from './detect.ts'
import { CardError } from './errors.ts'
import { cardToPersonaInput, personaBodyOf, personaToCard, type CardExtras } from './export.ts'
import { writePngCard } from './png.ts'
import type { Card } from './schema.ts'
import { cardPromptSection, openingLine } from './prompt.ts'
import type { CardRepository } from './repository.ts'

// Character cards wired to personas (issue 16): import (persona + extras + avatar + lore memories),
// export (V3 JSON or PNG with both chunks), avatars, and the card's prompt section.

export interface CardServiceDeps {
  repository: CardRepository
  personas: PersonaService
  memory: MemoryService
}

export interface ImportedCard {
  persona: Persona
  format: 'json' | 'png' | 'charx'
  warnings: string[]
  loreMemories: number
  extras: CardExtras
  hasAvatar: boolean
}

/** how many of the latest messages a lorebook scans for its keys, beside the new one */
const LORE_SCAN_MESSAGES = 16

/** A CardError as the -32602 clients see: `data.reason` invalid_params, the card's own reason and field beside it. */
export function cardInvalid (err: CardError) {
  return domainError(ErrorCode.InvalidParams, `Invalid card: ${err.message}`, { card_reason: err.reason, field: err.field ?? null })
}

export function createCardService ({ repository, personas, memory }: CardServiceDeps) {
  // extras are read on every prompt: cached per persona id (this service is their only writer)
  const cache = new Map<string, CardExtras | null>()
  const icons = createAvatarIcons((personaId) => repository.avatar(personaId))
  personas.onRemoved((persona) => { cache.delete(persona.id); icons.forget(persona.id) })

  const extrasOf = async (personaId: string): Promise<CardExtras | undefined> => {
    let extras = cache.get(personaId)
    if (extras === undefined) {
      extras = await repository.extras(personaId) ?? null
      cache.set(personaId, extras)
    }
    return extras ?? undefined
  }

  const service = {
    extrasOf,

    avatarOf: (personaId: string): Promise<Avatar | undefined> => repository.avatar(personaId),

    /** the card avatar as an MCP icon (a data: URI), when the persona has a small enough one */
    avatarIcon: (personaId: string): Promise<AvatarIcon | undefined> => icons.icon(personaId),

    /** The stored avatar, or a generated monogram PNG. */
    async avatarOrGenerated (persona: Persona): Promise<Avatar> {
      return await repository.avatar(persona.id) ?? { bytes: avatarPng(persona.name), mime: 'image/png' }
    },

    /**
     * A card (object, JSON text, or base64 of PNG / CHARX / JSON) becomes a persona owned by `user`.
     * A taken name is -32006 conflict (no silent renaming: scripts rely on the name they sent).
     */
    async importCard (input: Uint8Array | string | object, user: UserIdentity): Promise<ImportedCard> {
      let file
      let imported
      try {
        file = readCardFile(input)
        imported = cardToPersonaInput(file.card)
      } catch (err) {
        if (err instanceof CardError) throw cardInvalid(err)
        throw err
      }
      const body = imported.persona
      // the importer owns it, as with persona.create (admins may change any persona anyway)
      const persona = await personas.create({ ...personaPatch(body), name: body.name }, user.id)
      await repository.save(persona.id, imported.extras, file.avatar)
      cache.set(persona.id, imported.extras)
      icons.set(persona.id, file.avatar)
      const loreMemories = await service.storeLore(persona.id, imported.extras)
      return { persona, format: file.format, warnings: imported.warnings, loreMemories, extras: imported.extras, hasAvatar: file.avatar !== undefined }
    },

    /** The lorebook's enabled entries as the persona's own lore memories: pinned (never decayed or pruned). */
    async storeLore (personaId: string, extras: CardExtras): Promise<number> {
      const entries = extras.character_book?.entries ?? []
      let stored = 0
      for (const [index, entry] of entries.entries()) {
        if (!entry.enabled || entry.content.trim() === '') continue
        await memory.store({
          personaId, userId: null, content: entry.content, memoryType: 'lore', importance: 1,
          metadata: { pinned: true, lore_entry: index, keys: entry.keys, source: 'character_book' },
        })
        stored++
      }
      return stored
    },

    /** The persona as a V3 card (its extras and persona_mcp extension), JSON or a PNG with ccv3 and chara chunks. */
    async exportCard (persona: Persona): Promise<{ card: Card, png: () => Promise<Buffer> }> {
      const { card } = personaToCard({ persona: personaBodyOf(persona), extras: await extrasOf(persona.id) })
      return { card, png: async () => writePngCard((await service.avatarOrGenerated(persona)).bytes, card) }
    },

    /** The line a new conversation with a card persona opens with: its first message or an alternate greeting. */
    async greeting (persona: Persona, conversationId: string): Promise<string | undefined> {
      const extras = await extrasOf(persona.id)
      return extras && openingLine(extras, conversationId, persona.name)
    },

    /** The card's texts and activated lore for this turn (undefined for personas without a card). */
    async promptSection (context: PromptContext): Promise<string | undefined> {
      const extras = await extrasOf(context.persona.id)
      if (!extras) return undefined
      const recent = await repository.recentTexts(context.conversationId, LORE_SCAN_MESSAGES)
      return cardPromptSection(extras, [...recent, context.message], context.conversationId, context.persona.name)
    },
  }
  return service
}

export type CardService = ReturnType<typeof createCardService>
