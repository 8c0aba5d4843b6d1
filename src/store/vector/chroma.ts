import { createHash } from 'node:crypto'
import { ChromaClient, ChromaNotFoundError, type Collection, type Metadata, type Where } from 'chromadb'
import type { Embedder, IndexedMemory, VectorHit, VectorIndex, VectorIndexStatus, VectorQuery } from '../../memory/types.ts'
import { visibleTo } from '../../memory/types.ts'

// The vector index on a Chroma server: one collection per embedder and persona, so vectors of different
// models never meet and a search walks only its persona's graph. A filtered query over one shared collection
// cost ~40 ms at 10k memories; an unfiltered one on the persona's own collection costs a few, so a search
// asks for a few more neighbours than it needs without a filter and applies the visibility rule here (the
// metadata comes back with them); only when that leaves too few does it ask again with the rule as a `where`.
// Embeddings always come from us (embeddingFunction: null): Chroma never embeds anything.

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
  /** every id in the embedder's collections (for reconciling against SQLite) */
  ids (): Promise<string[]>
  /** drops the embedder's collections */
  clear (): Promise<void>
}

export interface ChromaIndexOptions {
  url: string
  log: VectorLogger
  /** bounds every call: a hung server must look down, not hold searches forever */
  timeoutMs?: number
}

const BATCH = 1000
const PAGE = 10_000
/** a persona without a collection is looked up again after this long (another instance may have made one) */
const MISSING_TTL_MS = 5000
/** the unfiltered first try asks for a quarter more neighbours than wanted, plus 8 (Chroma's time grows with it) */
const overFetch = (limit: number) => Math.ceil(limit * 1.25) + 8

function groupBy<T> (items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list === undefined) out.set(k, [item])
    else list.push(item)
  }
  return out
}

const safe = (s: string) => s.replace(/[^a-zA-Z0-9_-]/g, '-').replace(/[^a-zA-Z0-9]+$/, '')
/** The one collection every persona shared before (dropped at open: SQLite refills the new ones). */
export const legacyCollectionName = (embedderId: string): string => `persona_memories_${safe(embedderId)}`.slice(0, 512)

/**
 * Chroma names: 3-512 of [a-zA-Z0-9._-], starting and ending with a letter or digit. The persona part never
 * holds '_' (other ids are hashed), so names of different embedders or personas never collide.
 */
export function collectionName (embedderId: string, personaId: string): string {
  const persona = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,62}[a-zA-Z0-9])?$/.test(personaId) ? personaId : createHash('sha256').update(personaId).digest('hex').slice(0, 32)
  return `pm_${safe(embedderId).slice(0, 400)}_${persona}`
}

/** The visibility rule of VectorQuery as a Chroma `where` within one persona (ownerless memories carry userId ''). */
export function visibilityFilter (q: Pick<VectorQuery, 'userId' | 'visibilities'>): Where {
  const owner: Where = { $or: [{ userId: { $in: [q.userId, ''] } }, { visibility: 'public' }] }
  return q.visibilities === undefined ? owner : { $and: [owner, { visibility: { $in: q.visibilities } }] }
}

export function createChromaIndex ({ url, log, timeoutMs = 10_000 }: ChromaIndexOptions): ChromaIndex {
  const parsed = new URL(url)
  const ssl = parsed.protocol === 'https:'
  const client = new ChromaClient({ host: parsed.hostname, port: Number(parsed.port || (ssl ? 443 : 80)), ssl })
  let embedder: Embedder | undefined
  let batch = BATCH
  let available = false
  let detail: string | undefined = 'not opened yet'
  const collections = new Map<string, Collection>() // personaId -> its collection, known to exist
  const missing = new Map<string, number>() // personaId -> when no collection was found
  const owners = new Map<string, string>() // memory id -> personaId, so a removal goes to the right collection

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
      if (err instanceof ChromaNotFoundError) { available = true; detail = undefined; throw err } // an answer, not a failure
      available = false
      detail = `Chroma at ${url}: ${what} failed: ${(err as Error).message}`
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  const opened = (): Embedder => {
    if (embedder === undefined) throw new Error('the Chroma index is not open')
    return embedder
  }

  async function collectionFor (personaId: string): Promise<Collection> {
    const known = collections.get(personaId)
    if (known !== undefined) return known
    const e = opened()
    const col = await call('open', () => client.getOrCreateCollection({
      name: collectionName(e.id, personaId),
      embeddingFunction: null,
      configuration: { hnsw: { space: 'cosine' } },
      metadata: { embedder: e.id, dimensions: e.dimensions, personaId },
    }))
    collections.set(personaId, col)
    missing.delete(personaId)
    return col
  }

  /** the persona's collection, or undefined when it has none (asked again after MISSING_TTL_MS) */
  async function existing (personaId: string): Promise<Collection | undefined> {
    const known = collections.get(personaId)
    if (known !== undefined) return known
    const since = missing.get(personaId)
    if (since !== undefined && Date.now() - since < MISSING_TTL_MS) return undefined
    try {
      const col = await call('open', () => client.getCollection({ name: collectionName(opened().id, personaId), embeddingFunction: undefined }))
      collections.set(personaId, col)
      return col
    } catch (err) {
      if (!(err instanceof ChromaNotFoundError)) throw err
      missing.set(personaId, Date.now())
      return undefined
    }
  }

  /** every collection of this embedder on the server, including those other instances made */
  async function refresh (): Promise<Map<string, Collection>> {
    const e = opened()
    const found = new Map<string, Collection>()
    for (let offset = 0; ; offset += 100) {
      const page = await call('listCollections', () => client.listCollections({ limit: 100, offset }))
      for (const col of page) {
        const personaId = col.metadata?.personaId
        if (col.metadata?.embedder === e.id && typeof personaId === 'string' && col.name === collectionName(e.id, personaId)) found.set(personaId, col)
      }
      if (page.length < 100) break
    }
    collections.clear()
    for (const [personaId, col] of found) collections.set(personaId, col)
    return found
  }

  async function queryOne (col: Collection, q: VectorQuery, personaId: string): Promise<VectorHit[]> {
    const queryEmbeddings = [Array.from(q.vector)]
    const wanted = overFetch(q.limit)
    const loose = await call('query', () => col.query({ queryEmbeddings, nResults: wanted, include: ['distances', 'metadatas'] }))
    const ids = loose.ids[0] ?? []
    const metadatas = loose.metadatas[0] ?? []
    const distances = loose.distances[0] ?? []
    // cosine space: distance = 1 - cosine similarity
    const hits: VectorHit[] = []
    ids.forEach((id, i) => {
      const m = (metadatas[i] ?? {}) as Metadata
      const memory = { personaId, userId: m.userId === '' || typeof m.userId !== 'string' ? null : m.userId, visibility: String(m.visibility) }
      if (visibleTo(memory, q)) hits.push({ id, similarity: 1 - (distances[i] ?? 1) })
    })
    if (hits.length >= q.limit || ids.length < wanted) return hits.slice(0, q.limit)
    // most of the nearest are others' private memories: let Chroma apply the rule
    const strict = await call('query', () => col.query({ queryEmbeddings, nResults: q.limit, where: visibilityFilter(q), include: ['distances'] }))
    return (strict.ids[0] ?? []).map((id, i) => ({ id, similarity: 1 - (strict.distances[0]?.[i] ?? 1) }))
  }

  async function removeFrom (col: Collection, ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += batch) {
      const chunk = ids.slice(i, i + batch)
      await call('delete', () => col.delete({ ids: chunk }))
    }
  }

  return {
    kind: 'chroma',
    url,
    async open (e) {
      embedder = e
      collections.clear()
      missing.clear()
      owners.clear()
      const max = await call('getMaxBatchSize', () => client.getMaxBatchSize())
      batch = max > 0 ? Math.min(max, BATCH) : BATCH
      try {
        await call('deleteCollection', () => client.deleteCollection({ name: legacyCollectionName(e.id) }))
        log.info({ collection: legacyCollectionName(e.id) }, 'Chroma: the collection shared by every persona is dropped; SQLite refills one per persona')
      } catch (err) {
        if (!(err instanceof ChromaNotFoundError)) throw err
      }
      await refresh()
      log.debug({ embedder: e.id, collections: collections.size, url }, 'Chroma index open')
    },
    async upsert (items: IndexedMemory[]) {
      const e = opened()
      for (const m of items) if (m.vector.length !== e.dimensions) throw new Error(`vector of ${m.vector.length} dimensions for embedder ${e.id}`)
      const byPersona = groupBy(items, (m) => m.personaId)
      for (const [personaId, group] of byPersona) {
        // a memory moved to another persona leaves its old collection
        for (const m of group) {
          const before = owners.get(m.id)
          if (before !== undefined && before !== personaId) await removeFrom(await collectionFor(before), [m.id])
        }
        const col = await collectionFor(personaId)
        for (let i = 0; i < group.length; i += batch) {
          const chunk = group.slice(i, i + batch)
          await call('upsert', () => col.upsert({
            ids: chunk.map((m) => m.id),
            embeddings: chunk.map((m) => Array.from(m.vector)),
            // Chroma metadata cannot hold null: ownerless memories get ''
            metadatas: chunk.map((m) => ({ userId: m.userId ?? '', visibility: m.visibility })),
          }))
        }
        for (const m of group) owners.set(m.id, personaId)
      }
    },
    async remove (ids) {
      opened()
      const known = groupBy(ids.filter((id) => owners.has(id)), (id) => owners.get(id) as string)
      for (const [personaId, group] of known) {
        const col = await existing(personaId)
        if (col !== undefined) await removeFrom(col, group)
      }
      // written by another instance (or before this process started): every collection may hold them
      const unknown = ids.filter((id) => !owners.has(id))
      if (unknown.length > 0) for (const col of (await refresh()).values()) await removeFrom(col, unknown)
      for (const id of ids) owners.delete(id)
    },
    async query (q): Promise<VectorHit[]> {
      opened()
      if (q.limit <= 0 || q.personaIds.length === 0 || q.visibilities?.length === 0) return []
      const personas = [...new Set(q.personaIds)]
      const cols = await Promise.all(personas.map((p) => existing(p)))
      const hits = await Promise.all(cols.map((col, i) => col === undefined ? [] : queryOne(col, q, personas[i])))
      return hits.length === 1 ? hits[0] : hits.flat().sort((a, b) => b.similarity - a.similarity).slice(0, q.limit)
    },
    async count () {
      const counts = await Promise.all([...(await refresh()).values()].map((col) => call('count', () => col.count())))
      return counts.reduce((a, b) => a + b, 0)
    },
    async ids () {
      const all: string[] = []
      owners.clear()
      for (const [personaId, col] of await refresh()) {
        for (let offset = 0; ; offset += PAGE) {
          const page = await call('get', () => col.get({ limit: PAGE, offset, include: [] }))
          for (const id of page.ids) { all.push(id); owners.set(id, personaId) }
          if (page.ids.length < PAGE) break
        }
      }
      return all
    },
    async clear () {
      for (const col of (await refresh()).values()) await call('deleteCollection', () => client.deleteCollection({ name: col.name }))
      collections.clear()
      owners.clear()
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
      embedder = undefined
      collections.clear()
      owners.clear()
      available = false
      detail = 'closed'
    },
  }
}
