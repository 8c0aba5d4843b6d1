import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Embedder, IndexedMemory, VectorHit, VectorIndex, VectorIndexStatus, VectorQuery } from '../../memory/types.ts'
import type { ChromaIndex, VectorLogger } from './chroma.ts'
import { createLocalIndex, type LocalIndex } from './local.ts'
import type { VectorSource } from './source.ts'

// The index the memory service talks to. SQLite holds every embedding; the store keeps an index in step:
// - local: an in-process index loaded from SQLite at open;
// - chroma: Chroma takes writes and answers searches once it holds what SQLite holds. When it fails (or is
//   far behind, e.g. fresh), searches are served by a local index built from SQLite on demand, writes stay
//   pending in SQLite (indexedAt NULL), and a background re-check hands searches back once Chroma caught up.
//
// Contract with the writer: store the memory (embedding, embeddingModel = embedder.id, indexedAt NULL) in
// SQLite first, then call upsert(); remove() after setting prunedAt or deleting the row.

export interface VectorStoreStatus extends VectorIndexStatus {
  /** the configured index (`kind` is the one answering searches right now) */
  configured: 'chroma' | 'local'
  embedder: string
  chroma?: VectorIndexStatus
}

export interface VectorStore extends VectorIndex {
  readonly embedder: Embedder
  /** pushes pending rows (and removals Chroma missed) to the index; returns how many were pushed */
  sync (): Promise<number>
  /** the index again from SQLite, from scratch (Chroma: the local index answers while it refills) */
  rebuild (): Promise<void>
  /** embeds live memories that lack a vector of this embedder, stores them in SQLite and indexes them */
  reembed (): Promise<number>
  /** resolves once a local index holds what SQLite held at open: open() does not wait for that */
  loaded (): Promise<void>
  status (): VectorStoreStatus
}

export interface VectorStoreOptions {
  kind: 'chroma' | 'local'
  chroma?: ChromaIndex
  source: VectorSource
  embedder: Embedder
  log: VectorLogger
  /** how often a down Chroma is re-checked (and, when up, pending rows swept) */
  recheckMs: number
  /** re-embed stale memories in the background after open (default true) */
  reembedOnOpen?: boolean
}

const BATCH = 1000
const REEMBED_BATCH = 64
/** at open, Chroma this close to SQLite catches up before open returns; further behind, in the background */
const INLINE_CATCH_UP = 5000

export function createVectorStore (options: VectorStoreOptions): VectorStore {
  const { kind, source, embedder, log, recheckMs } = options
  // undefined only with kind 'local', which never touches it
  const chroma = options.chroma as ChromaIndex
  if (kind === 'chroma' && options.chroma === undefined) throw new Error('vector store "chroma" needs a Chroma index')
  let chromaUp = false
  let local: LocalIndex | undefined
  let loading: Promise<LocalIndex> | undefined
  // bumped when the fallback is dropped, so a load still running then does not install a stale index
  let generation = 0
  // removals Chroma did not take while down: applied when it is back (reconcile covers restarts of this process)
  const missedRemovals = new Set<string>()
  let timer: NodeJS.Timeout | undefined
  let rechecking: Promise<void> | undefined
  let reembedding: Promise<number> | undefined
  let lastFailure: string | undefined
  let closed = false
  let loadedAtOpen: Promise<void> = Promise.resolve()

  const useChroma = () => kind === 'chroma' && chromaUp
  const dropLocal = () => { local = undefined; generation++ }

  /** the local index, loaded from SQLite on first use; yields between batches so requests keep flowing */
  function localIndex (): Promise<LocalIndex> {
    if (local !== undefined) return Promise.resolve(local)
    return loading ??= (async () => {
      const gen = generation
      const index = createLocalIndex()
      await index.open(embedder)
      for await (const batch of source.batches(embedder.id, BATCH)) {
        await index.upsert(batch)
        await yieldToLoop()
      }
      if (gen === generation) local = index
      return index
    })().finally(() => { loading = undefined })
  }

  function chromaDown (err: unknown, what: string): void {
    if (chromaUp) log.warn({ err, what }, 'Chroma failed: searches served by the local index, writes pending in SQLite until it is back')
    chromaUp = false
  }

  /** tries Chroma first; on failure marks it down and answers with `fallback` */
  async function orLocal<T> (what: string, op: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (useChroma()) {
      try {
        return await op()
      } catch (err) {
        chromaDown(err, what)
      }
    }
    return fallback()
  }

  /** pending rows and missed removals to Chroma (or to the local index); throws if Chroma fails */
  async function pushPending (): Promise<number> {
    if (kind === 'chroma' && missedRemovals.size > 0) {
      const ids = [...missedRemovals]
      await chroma.remove(ids)
      for (const id of ids) missedRemovals.delete(id)
    }
    const target: VectorIndex = kind === 'chroma' ? chroma : await localIndex()
    let pushed = 0
    for (let rows = await source.pending(embedder.id, BATCH); rows.length > 0 && !closed; rows = await source.pending(embedder.id, BATCH)) {
      await target.upsert(rows)
      await source.markIndexed(rows.map((r) => r.id))
      pushed += rows.length
    }
    return pushed
  }

  /** Chroma in step with SQLite: pending rows, then a full id comparison when the counts disagree */
  async function reconcile (): Promise<number> {
    let pushed = await pushPending()
    if (await chroma.count() === await source.count(embedder.id)) return pushed
    const live = await source.ids(embedder.id)
    const liveSet = new Set(live)
    const inChroma = new Set(await chroma.ids())
    const extra = [...inChroma].filter((id) => !liveSet.has(id))
    if (extra.length > 0) await chroma.remove(extra)
    // e.g. a fresh or wiped Chroma: everything SQLite has goes (back) in
    await source.markUnindexed(live.filter((id) => !inChroma.has(id)))
    pushed += await pushPending()
    log.info({ pushed, removed: extra.length, collection: embedder.id }, 'Chroma reconciled with SQLite')
    return pushed
  }

  /** brings Chroma level with SQLite, then lets it answer searches */
  async function catchUp (): Promise<void> {
    try {
      await chroma.open(embedder) // the collection may be new if Chroma lost its data
      const pushed = await reconcile()
      if (closed) return
      chromaUp = true
      lastFailure = undefined
      dropLocal() // free the fallback's memory; it would go stale anyway
      log.info({ pushed }, 'Chroma in step with SQLite: searches served by Chroma')
    } catch (err) {
      chromaDown(err, 'catch-up')
      // a Chroma that answers heartbeats but fails the catch-up is worth a line, once per distinct error
      if ((err as Error).message !== lastFailure) log.warn({ err }, 'Chroma catch-up failed; retrying in the background')
      lastFailure = (err as Error).message
    }
  }

  function tick (): void {
    // down: see whether Chroma is back. Up: a cheap safety net for rows whose upsert raced a catch-up.
    rechecking ??= (async () => {
      if (useChroma()) await store.sync()
      else if (!closed && await chroma.heartbeat()) await catchUp()
    })().finally(() => { rechecking = undefined })
  }

  function reembed (): Promise<number> {
    return reembedding ??= (async () => {
      let done = 0
      // each pass fixes the rows it read, so the next read moves on
      for (let rows = await source.staleEmbeddings(embedder.id, REEMBED_BATCH); rows.length > 0 && !closed; rows = await source.staleEmbeddings(embedder.id, REEMBED_BATCH)) {
        const vectors = await embedder.embed(rows.map((r) => r.content))
        await source.saveEmbeddings(rows.map((r, i) => ({ id: r.id, vector: vectors[i] })), embedder.id)
        done += rows.length
      }
      if (done > 0) {
        log.info({ memories: done, embedder: embedder.id }, 're-embedded memories for the current embedder')
        if (kind === 'local' || useChroma()) await store.sync()
        else dropLocal() // Chroma down: rows stay pending for the catch-up; the fallback reloads on its next search
      }
      return done
    })().finally(() => { reembedding = undefined })
  }

  async function openChroma (): Promise<void> {
    try {
      await chroma.open(embedder)
      const behind = Math.max(await source.pendingCount(embedder.id), Math.abs(await source.count(embedder.id) - await chroma.count()))
      if (behind <= INLINE_CATCH_UP) {
        await reconcile()
        chromaUp = true
      } else {
        log.info({ behind }, 'Chroma is behind SQLite: catching up in the background, searches served by the local index meanwhile')
      }
    } catch (err) {
      log.warn({ err, url: chroma.url }, 'Chroma unavailable at start: searches served by the local index until it answers')
    }
    timer = setInterval(tick, recheckMs)
    timer.unref()
    if (!chromaUp) tick()
  }

  const store: VectorStore = {
    kind,
    embedder,
    async open (e: Embedder = embedder) {
      if (e.id !== embedder.id) throw new Error(`this store indexes ${embedder.id}, not ${e.id}: create a store per embedder`)
      if (kind === 'chroma') await openChroma()
      else {
        // start-up does not wait for the load (~15 ms per 1,000 memories: codes are computed); searches do
        loadedAtOpen = localIndex().then(() => pushPending()).then(() => {}, (err: unknown) => {
          log.warn({ err }, 'loading the local vector index failed; the next search tries again')
        }) // pushPending: everything loaded counts as indexed
      }
      if (options.reembedOnOpen !== false && (await source.staleEmbeddings(embedder.id, 1)).length > 0) {
        reembed().catch((err: unknown) => log.warn({ err }, 're-embedding failed; it runs again at the next start'))
      }
    },
    async upsert (items: IndexedMemory[]) {
      for (const m of items) {
        if (m.vector.length !== embedder.dimensions) throw new Error(`vector of ${m.vector.length} dimensions, the embedder ${embedder.id} makes ${embedder.dimensions}`)
      }
      await orLocal('upsert', async () => { await chroma.upsert(items); await source.markIndexed(items.map((m) => m.id)) }, async () => {
        // a fallback being loaded gets them too: its load may already have read these rows
        if (local !== undefined || loading !== undefined) await (await localIndex()).upsert(items)
        if (kind === 'local') await source.markIndexed(items.map((m) => m.id))
      })
    },
    async remove (ids) {
      if (local !== undefined || loading !== undefined) await (await localIndex()).remove(ids)
      if (kind === 'local') return
      await orLocal('remove', () => chroma.remove(ids), async () => { for (const id of ids) missedRemovals.add(id) })
    },
    async query (q: VectorQuery): Promise<VectorHit[]> {
      // a caller's mistake, not Chroma's: it must not mark Chroma down
      if (q.vector.length !== embedder.dimensions) throw new Error(`query vector of ${q.vector.length} dimensions, the embedder ${embedder.id} makes ${embedder.dimensions}`)
      return orLocal('query', () => chroma.query(q), async () => (await localIndex()).query(q))
    },
    count: () => orLocal('count', () => chroma.count(), async () => (await localIndex()).count()),
    async sync () {
      if (kind === 'local') return pushPending()
      return orLocal('sync', pushPending, async () => 0)
    },
    async rebuild () {
      await source.markUnindexed()
      missedRemovals.clear()
      if (kind === 'local') {
        dropLocal()
        await localIndex()
        await pushPending()
        return
      }
      await rechecking
      chromaUp = false // the local index answers while the collection refills
      rechecking = (async () => { await chroma.clear(); await catchUp() })().catch((err: unknown) => { chromaDown(err, 'rebuild') })
        .finally(() => { rechecking = undefined })
      await rechecking
    },
    reembed,
    loaded: () => loadedAtOpen,
    status (): VectorStoreStatus {
      const chromaStatus = kind === 'chroma' ? chroma.status() : undefined
      const why = chromaStatus?.available === true ? 'Chroma is catching up with SQLite' : `Chroma down (${chromaStatus?.detail ?? 'unknown'})`
      return {
        kind: useChroma() ? 'chroma' : 'local',
        available: true,
        configured: kind,
        embedder: embedder.id,
        ...(chromaStatus === undefined ? {} : { chroma: chromaStatus }),
        ...(chromaStatus !== undefined && !chromaUp ? { detail: `${why}: searches served by the local index` } : {}),
      }
    },
    async close () {
      closed = true
      clearInterval(timer)
      await Promise.allSettled([rechecking, reembedding, loadedAtOpen])
      await chroma?.close()
      dropLocal()
    },
  }
  return store
}
