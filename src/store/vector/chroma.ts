import { ChromaClient, type Collection, type Where } from 'chromadb'
import type { Embedder, IndexedMemory, VectorHit, VectorIndex, VectorIndexStatus, VectorQuery } from '../../memory/types.ts'

// The vector index on a Chroma server. One collection per embedder, so vectors of different models or sizes
// never meet; the visibility rule runs inside Chroma as a metadata filter. Embeddings always come from us
// (embeddingFunction: null): Chroma never embeds anything.

export interface VectorLogger {
  debug (obj: object, msg?: string): void
  info (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
  error (obj: object, msg?: string): void
}

export interface ChromaIndex extends VectorIndex {
  readonly kind: 'chroma'
  readonly url: string
  /** asks the server and refreshes status() */
  heartbeat (): Promise<boolean>
  /** every id in the collection (for reconciling against SQLite) */
  ids (): Promise<string[]>
  /** drops and recreates the collection */
  clear (): Promise<void>
}

export interface ChromaIndexOptions {
  url: string
  log: VectorLogger
  /** bounds every call: a hung server must look down, not hold searches forever */
  timeoutMs?: number
}

/** Chroma names: 3-512 of [a-zA-Z0-9._-], starting and ending with a letter or digit. */
export const collectionName = (embedderId: string): string =>
  `persona_memories_${embedderId}`.replace(/[^a-zA-Z0-9_-]/g, '-').replace(/[^a-zA-Z0-9]+$/, '').slice(0, 512)

const BATCH = 1000

/** The visibility rule of VectorQuery as a Chroma `where` (ownerless memories carry userId ''). */
export function visibilityFilter (q: Pick<VectorQuery, 'personaIds' | 'userId' | 'visibilities'>): Where {
  const clauses: Where[] = [
    q.personaIds.length === 1 ? { personaId: q.personaIds[0] } : { personaId: { $in: q.personaIds } },
    { $or: [{ userId: { $in: [q.userId, ''] } }, { visibility: 'public' }] },
  ]
  if (q.visibilities !== undefined) clauses.push({ visibility: { $in: q.visibilities } })
  return { $and: clauses }
}

export function createChromaIndex ({ url, log, timeoutMs = 10_000 }: ChromaIndexOptions): ChromaIndex {
  const parsed = new URL(url)
  const ssl = parsed.protocol === 'https:'
  const client = new ChromaClient({ host: parsed.hostname, port: Number(parsed.port || (ssl ? 443 : 80)), ssl })
  let collection: Collection | undefined
  let embedder: Embedder | undefined
  let batch = BATCH
  let available = false
  let detail: string | undefined = 'not opened yet'

  /** every call goes through here: success or failure is the availability we report */
  async function call<T> (what: string, op: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Chroma ${what} took longer than ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      const result = await Promise.race([op(), timeout])
      available = true
      detail = undefined
      return result
    } catch (err) {
      available = false
      detail = `Chroma at ${url}: ${what} failed: ${(err as Error).message}`
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  const opened = (): Collection => {
    if (collection === undefined) throw new Error('the Chroma index is not open')
    return collection
  }

  async function openCollection (e: Embedder): Promise<void> {
    const name = collectionName(e.id)
    collection = await call('open', () => client.getOrCreateCollection({
      name,
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
      metadata: { embedder: e.id, dimensions: e.dimensions },
    }))
    const max = await call('getMaxBatchSize', () => client.getMaxBatchSize())
    batch = max > 0 ? Math.min(max, BATCH) : BATCH
    log.debug({ collection: name, url }, 'Chroma collection open')
  }

  return {
    kind: 'chroma',
    url,
    async open (e) {
      embedder = e
      await openCollection(e)
    },
    async upsert (items: IndexedMemory[]) {
      const col = opened()
      for (let i = 0; i < items.length; i += batch) {
        const chunk = items.slice(i, i + batch)
        for (const m of chunk) {
          if (m.vector.length !== embedder?.dimensions) throw new Error(`vector of ${m.vector.length} dimensions for collection ${col.name}`)
        }
        await call('upsert', () => col.upsert({
          ids: chunk.map((m) => m.id),
          embeddings: chunk.map((m) => Array.from(m.vector)),
          // Chroma metadata cannot hold null: ownerless memories get ''
          metadatas: chunk.map((m) => ({ personaId: m.personaId, userId: m.userId ?? '', visibility: m.visibility })),
        }))
      }
    },
    async remove (ids) {
      const col = opened()
      for (let i = 0; i < ids.length; i += batch) {
        const chunk = ids.slice(i, i + batch)
        await call('delete', () => col.delete({ ids: chunk }))
      }
    },
    async query (q): Promise<VectorHit[]> {
      const col = opened()
      if (q.limit <= 0 || q.personaIds.length === 0 || q.visibilities?.length === 0) return []
      const result = await call('query', () => col.query({
        queryEmbeddings: [Array.from(q.vector)], nResults: q.limit, where: visibilityFilter(q), include: ['distances'],
      }))
      const ids = result.ids[0] ?? []
      const distances = result.distances[0] ?? []
      // cosine space: distance = 1 - cosine similarity
      return ids.map((id, i) => ({ id, similarity: 1 - (distances[i] ?? 1) }))
    },
    count: () => call('count', () => opened().count()),
    async ids () {
      const col = opened()
      const all: string[] = []
      for (;;) {
        const page = await call('get', () => col.get({ limit: 10_000, offset: all.length, include: [] }))
        all.push(...page.ids)
        if (page.ids.length < 10_000) return all
      }
    },
    async clear () {
      const e = embedder
      if (e === undefined) throw new Error('the Chroma index is not open')
      await call('deleteCollection', () => client.deleteCollection({ name: collectionName(e.id) }))
      await openCollection(e)
    },
    async heartbeat () {
      try {
        await call('heartbeat', () => client.heartbeat())
        return true
      } catch {
        return false
      }
    },
    status: (): VectorIndexStatus => ({ kind: 'chroma', available, ...(detail === undefined ? {} : { detail }) }),
    async close () {
      // plain HTTP: nothing to release; later calls fail as "not open"
      collection = undefined
      available = false
      detail = 'closed'
    },
  }
}
