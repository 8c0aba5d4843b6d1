import type { Embedder, IndexedMemory, Visibility } from '../memory/types.ts'
import type { PersonaService } from '../personas/service.ts'
import type { Persona } from '../personas/types.ts'
import { mayChangePersona } from '../personas/ownership.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import { SERVER_NAME, SERVER_VERSION } from '../version.ts'
import { readBundle, vectorOf, writeBundle, type BundleContent } from './bundle-format.ts'
import type { PersonaBundleRepository } from './bundle-repository.ts'
import { conversationFile, conversationRows, memoryFile, memoryRow, relationshipFile, relationshipRow } from './bundle-rows.ts'
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleCounts, type ExportedBundleView, type ImportedBundleView } from './bundle-schemas.ts'
import { CardError } from './errors.ts'
import type { CardService } from './service.ts'

// A persona bundle (issue 16 item 4): everything one user has about one persona (the persona as a V3 card,
// their memories with vectors, their relationship with it, their conversations), as one zip another server
// imports. Only that user's rows: nothing another user stored travels.

export interface BundleServiceDeps {
  repository: PersonaBundleRepository
  personas: PersonaService
  cards: CardService
  embedder: Embedder
  /** the vector index the restored memories join (a failure leaves them pending: the store re-syncs) */
  index: { upsert (items: IndexedMemory[]): Promise<void> }
  /** writes recalls noted so far, so the exported counts are current */
  flushAccesses: () => Promise<void>
  /** caches of the user's relationships forget them (the restore wrote rows under them) */
  relationshipsChanged: (userId: string) => void
  maxBytes: number
  log: { warn (obj: object, msg?: string): void }
  now?: () => number
}

const countsOf = (c: Omit<BundleContent, 'manifest' | 'card'>): BundleCounts => ({
  memories: c.memories.length,
  vectors: c.memories.filter((m) => m.embedding !== null).length,
  relationship: c.relationship === null ? 0 : 1,
  relationship_events: c.relationship?.events.length ?? 0,
  conversations: c.conversations.length,
  messages: c.conversations.reduce((n, t) => n + t.messages.length, 0),
})

/** -32602 as for cards (src/cards/service.ts cardInvalid): the reason and the failing file and field in data */
const bundleInvalid = (err: CardError) =>
  domainError(ErrorCode.InvalidParams, `Invalid bundle: ${err.message}`, { card_reason: err.reason, field: err.field ?? null })
const tooLarge = (bytes: number, max: number) =>
  bundleInvalid(new CardError('too_large', `${bytes} bytes, more than the ${max} allowed (cards.maxBundleBytes)`, 'bundle'))

export function createBundleService (deps: BundleServiceDeps) {
  const { repository, personas, cards, embedder, maxBytes, log, now = Date.now } = deps

  /** the persona the bundle's rows go to: the caller's (or a shared one) of that name, or a new one from card.json */
  async function target (content: BundleContent, user: UserIdentity): Promise<{ persona: Persona, created: boolean }> {
    const existing = personas.find(content.card.data.name) ?? personas.find(content.manifest.persona.name)
    if (existing === undefined) return { persona: (await cards.importCard(content.card, user)).persona, created: true }
    // a persona that was the exporter's must be theirs here too; one they only talked to may be anyone's (built-ins)
    if (content.manifest.persona.owned && !mayChangePersona(existing, user)) {
      throw domainError(ErrorCode.Conflict, `A persona named ${existing.name} already exists here and is not yours: rename or delete it, then import again`,
        { persona_id: existing.id, name: existing.name })
    }
    return { persona: existing, created: false }
  }

  /** vectors of this embedder travel as they are; anything else (or none) is embedded again here */
  async function vectors (content: BundleContent): Promise<{ vectors: Float32Array[], reembedded: boolean }> {
    const { name, dimensions } = content.manifest.embedder
    const same = name === embedder.id && dimensions === embedder.dimensions
    const out: Array<Float32Array | undefined> = content.memories.map((m, i) =>
      (same && m.embedding?.model === embedder.id ? vectorOf(m.embedding.vector, dimensions, `memories.jsonl[${i}].embedding.vector`) : undefined))
    const missing = out.flatMap((v, i) => (v === undefined ? [i] : []))
    for (let start = 0; start < missing.length; start += 64) {
      const batch = missing.slice(start, start + 64)
      const embedded = await embedder.embed(batch.map((i) => content.memories[i]!.content))
      batch.forEach((i, k) => { out[i] = embedded[k] })
    }
    if (out.some((v) => v === undefined)) throw new Error('the embedder returned fewer vectors than contents')
    return { vectors: out as Float32Array[], reembedded: missing.length > 0 }
  }

  return {
    /** The zip of what `userId` has about the persona (the card always: a persona must exist where it is imported). */
    async exportBundle (idOrName: string, userId: string): Promise<ExportedBundleView & { zip: Uint8Array }> {
      const persona = personas.get(idOrName)
      await deps.flushAccesses()
      const rows = await repository.rows(persona.id, userId)
      const files = {
        memories: rows.memories.map(memoryFile),
        relationship: rows.relationship && relationshipFile(rows.relationship),
        conversations: rows.conversations.map(conversationFile),
      }
      const manifest = {
        format: BUNDLE_FORMAT, version: BUNDLE_VERSION, server: { name: SERVER_NAME, version: SERVER_VERSION }, exported_at: new Date(now()).toISOString(),
        persona: { id: persona.id, name: persona.name, owned: persona.ownerId !== null && persona.ownerId === userId },
        embedder: { name: embedder.id, dimensions: embedder.dimensions },
        counts: countsOf(files),
      } as const
      const zip = writeBundle({ manifest, card: (await cards.exportCard(persona)).card, ...files })
      if (zip.length > maxBytes) throw tooLarge(zip.length, maxBytes)
      return { persona_id: persona.id, manifest, bundle_base64: Buffer.from(zip).toString('base64'), zip }
    },

    /** Reads, checks and restores a bundle for `user`: new ids, their ownership, one transaction for the rows. */
    async importBundle (zip: Uint8Array, user: UserIdentity): Promise<ImportedBundleView> {
      if (zip.length > maxBytes) throw tooLarge(zip.length, maxBytes)
      let content: BundleContent
      let embedded: Awaited<ReturnType<typeof vectors>>
      try {
        content = readBundle(zip, maxBytes)
        embedded = await vectors(content)
      } catch (err) {
        if (err instanceof CardError) throw bundleInvalid(err)
        throw err
      }
      const { persona, created } = await target(content, user)
      const owner = { personaId: persona.id, userId: user.id }
      const conversations = conversationRows(content.conversations, owner)
      const memories = content.memories.map((m, i) => memoryRow(m, embedded.vectors[i]!, embedder.id, conversations.ids))
      try {
        await repository.restore(persona.id, user.id, {
          memories, relationship: content.relationship && relationshipRow(content.relationship), conversations: conversations.rows,
        })
      } catch (err) {
        // nothing of the bundle landed: a persona made for it goes too
        if (created) await personas.delete(persona.id).catch((e: unknown) => { log.warn({ err: e, persona: persona.id }, 'bundle import: persona not removed') })
        throw err
      }
      deps.relationshipsChanged(user.id)
      try {
        await deps.index.upsert(memories.map((m) => ({ id: m.id, personaId: persona.id, userId: user.id, visibility: m.visibility as Visibility, vector: m.embedding })))
      } catch (err) {
        log.warn({ err, persona: persona.id }, 'bundle imported, its vectors are pending')
      }
      return { persona_id: persona.id, name: persona.name, created, reembedded: embedded.reembedded, counts: countsOf(content) }
    },
  }
}

export type BundleService = ReturnType<typeof createBundleService>
