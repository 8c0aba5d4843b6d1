import type Database from 'better-sqlite3'
import type { PromptContext } from '../conversation/service.ts'
import type { MemoryService } from '../memory/service.ts'
import type { PersonaService } from '../personas/service.ts'
import type { Persona } from '../personas/types.ts'
import { personaPatch } from '../personas/views.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import type { Avatar } from './assets.ts'
import { avatarPng } from './avatar.ts'
import { readCardFile } from './detect.ts'
import { CardError } from './errors.ts'
import { cardToPersonaInput, personaBodyOf, personaToCard, type CardExtras } from './export.ts'
import { writePngCard } from './png.ts'
import type { Card } from './schema.ts'
import { cardPromptSection } from './prompt.ts'

// Character cards wired to personas (issue 16): import (persona + extras + avatar + lore memories),
// export (V3 JSON or PNG with both chunks), avatars, and the card's prompt section.
// The card columns of Persona (cardExtras, avatar, avatarMime) are read and written here, raw.

export interface CardServiceDeps {
  sqlite: Database.Database
  personas: PersonaService
  memory: MemoryService
}

export interface ImportedCard {
  persona: Persona
  format: 'json' | 'png' | 'charx'
  warnings: string[]
  loreMemories: number
}

/** A CardError as the -32602 clients see: `data.reason` invalid_params, the card's own reason and field beside it. */
export function cardInvalid (err: CardError) {
  return domainError(ErrorCode.InvalidParams, `Invalid card: ${err.message}`, { card_reason: err.reason, field: err.field ?? null })
}

export function createCardService ({ sqlite, personas, memory }: CardServiceDeps) {
  const readExtras = sqlite.prepare('SELECT cardExtras FROM Persona WHERE id = ?')
  const readAvatar = sqlite.prepare('SELECT avatar, avatarMime FROM Persona WHERE id = ?')
  const write = sqlite.prepare('UPDATE Persona SET cardExtras = ?, avatar = ?, avatarMime = ? WHERE id = ?')
  // extras are read on every prompt: cached per persona id (imports are the only writer)
  const cache = new Map<string, CardExtras | null>()

  const extrasOf = (personaId: string): CardExtras | undefined => {
    if (!cache.has(personaId)) {
      const row = readExtras.get(personaId) as { cardExtras: string | null } | undefined
      cache.set(personaId, row?.cardExtras ? JSON.parse(row.cardExtras) as CardExtras : null)
    }
    return cache.get(personaId) ?? undefined
  }

  const service = {
    extrasOf,

    avatarOf (personaId: string): Avatar | undefined {
      const row = readAvatar.get(personaId) as { avatar: Buffer | null, avatarMime: string | null } | undefined
      return row?.avatar && row.avatarMime ? { bytes: Buffer.from(row.avatar), mime: row.avatarMime } : undefined
    },

    /** The stored avatar, or a generated monogram PNG. */
    avatarOrGenerated (persona: Persona): Avatar {
      return service.avatarOf(persona.id) ?? { bytes: avatarPng(persona.name), mime: 'image/png' }
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
      write.run(JSON.stringify(imported.extras), file.avatar?.bytes ?? null, file.avatar?.mime ?? null, persona.id)
      cache.delete(persona.id)
      const loreMemories = await service.storeLore(persona.id, imported.extras)
      return { persona, format: file.format, warnings: imported.warnings, loreMemories }
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
    exportCard (persona: Persona): { card: Card, png: () => Buffer } {
      const { card } = personaToCard({ persona: personaBodyOf(persona), extras: extrasOf(persona.id) })
      return { card, png: () => writePngCard(service.avatarOrGenerated(persona).bytes, card) }
    },

    forget (personaId: string): void { cache.delete(personaId) },

    /** The card's texts and activated lore for this turn (undefined for personas without a card). */
    promptSection (context: PromptContext): Promise<string | undefined> {
      const extras = extrasOf(context.persona.id)
      if (!extras) return Promise.resolve(undefined)
      const recent = (sqlite.prepare('SELECT content FROM Message WHERE conversationId = ? ORDER BY turnNumber DESC, createdAt DESC LIMIT 16')
        .all(context.conversationId) as Array<{ content: string }>).map((r) => r.content).reverse()
      return Promise.resolve(cardPromptSection(extras, [...recent, context.message], context.conversationId, context.persona.name))
    },
  }
  return service
}

export type CardService = ReturnType<typeof createCardService>
