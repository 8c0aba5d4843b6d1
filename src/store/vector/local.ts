import type { Embedder, IndexedMemory, VectorHit, VectorIndex, VectorQuery, Visibility } from '../../memory/types.ts'
import { createBinaryCoder, type BinaryCoder } from './codes.ts'
import { kernelsFor, type Kernels } from './kernels.ts'
import { createTopK } from './top-k.ts'

// Cosine search in process. Vectors are normalised on the way in, so a similarity is one dot product; a
// query only touches the blocks of the personas it names. Small scans are exact. Past `exactUpTo` rows a
// search is two passes: the Hamming distance of binary codes (codes.ts, 64 bytes per 384-dim vector, a
// whole block per WebAssembly call) picks a few hundred candidates, and the exact dot product re-ranks
// them, so the similarities returned are always exact and only a near-tie at the cut can be missed
// (recall@10 ~0.99 at 10k memories, measured in bench/memory-search.ts), at about a tenth of the cost.
// Memory: the module's linear memory holds every row; each persona owns one region there, its vectors
// then its codes, grown by doubling, compacted when holes pass a quarter. Filters are exact either way.

const VISIBILITY: Record<Visibility, number> = { private: 0, shared: 1, public: 2 }
const PUBLIC = VISIBILITY.public
const ALL_VISIBILITIES = 0b111
/** rows are padded with zeros to a multiple of 16 floats: the dot kernel takes 16 per iteration */
const LANES = 16
/** a filtered-out row's distance: above any code length */
const EXCLUDED = 0xffff
/** block index and slot of a candidate in one number */
const SLOT_BITS = 2 ** 24

/** candidates re-ranked exactly for a top-k: enough that recall@k stays ~0.99 (bench/memory-search.ts) */
export const candidatesFor = (k: number): number => 128 + 24 * k

/** One persona's memories: slot i owns the i-th vector and code of the region and the i-th entry of each array. */
interface Block { offset: number, capacity: number, size: number, ids: string[], userIds: Array<string | null>, visibility: Uint8Array }

export interface LocalIndex extends VectorIndex {
  readonly kind: 'local'
  /** forgets every vector (the embedder stays) */
  clear (): void
  has (id: string): boolean
}

export interface LocalIndexOptions {
  /** scans of up to this many rows are exact (default 1024); larger ones take the two-pass path */
  exactUpTo?: number
}

/** Copies `v` scaled to unit length into `out` (a zero vector stays zero and matches nothing). */
export function normalised (v: Float32Array, out: Float32Array = new Float32Array(v.length)): Float32Array {
  let sum = 0
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i]
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0
  for (let i = 0; i < v.length; i++) out[i] = v[i] * scale
  return out
}

export function createLocalIndex ({ exactUpTo = 1024 }: LocalIndexOptions = {}): LocalIndex {
  let dims = 0
  let embedderId: string | undefined
  let coder: BinaryCoder = createBinaryCoder(0)
  let vecBytes = 0 // per row, in bytes: stride floats
  let rowBytes = 0 // vector plus code
  let blocks = new Map<string, Block>()
  // id -> where it lives; entries are mutated in place when swap-remove moves a slot
  let where = new Map<string, { personaId: string, slot: number }>()
  let memory: WebAssembly.Memory
  // views of memory, replaced whenever it grows (growing detaches them)
  let floats: Float32Array
  let bytes: Uint8Array
  let kernels: Kernels
  let top = 0 // bump allocator, in bytes; [0, vecBytes) holds the query vector, then its code
  let holes = 0 // bytes of regions abandoned by growth, reclaimed by compaction
  const codeAt = (b: Block, slot: number) => b.offset + b.capacity * vecBytes + slot * coder.bytes

  function reset (): void {
    blocks = new Map()
    where = new Map()
    memory = new WebAssembly.Memory({ initial: 1 })
    kernels = kernelsFor(memory)
    views()
    top = vecBytes + coder.bytes
    holes = 0
  }

  function views (): void {
    floats = new Float32Array(memory.buffer)
    bytes = new Uint8Array(memory.buffer)
  }

  /** makes [0, end) addressable */
  function ensure (end: number): void {
    if (end > bytes.length) {
      memory.grow(Math.ceil((end - bytes.length) / 65536))
      views()
    }
  }

  /** moves a region's used vectors and codes to `to` (capacity `capacity` there) */
  function move (b: Block, to: number, capacity: number): void {
    const codes = codeAt(b, 0)
    bytes.copyWithin(to, b.offset, b.offset + b.size * vecBytes)
    bytes.copyWithin(to + capacity * vecBytes, codes, codes + b.size * coder.bytes)
  }

  /** slides every region down over the holes (regions only move left, in order, so none overwrites another) */
  function compact (): void {
    let at = vecBytes + coder.bytes
    for (const b of [...blocks.values()].sort((x, y) => x.offset - y.offset)) {
      move(b, at, b.capacity)
      b.offset = at
      at += b.capacity * rowBytes
    }
    top = at
    holes = 0
  }

  function allocate (rows: number): number {
    if (holes > top / 4) compact()
    const offset = top
    top += rows * rowBytes
    ensure(top)
    return offset
  }

  function grow (block: Block): void {
    const capacity = block.capacity * 2
    if (block.offset + block.capacity * rowBytes === top) {
      // the last region grows in place: only its codes move up, behind the room for more vectors
      top += block.capacity * rowBytes
      ensure(top)
      const codes = codeAt(block, 0)
      bytes.copyWithin(block.offset + capacity * vecBytes, codes, codes + block.size * coder.bytes)
    } else {
      const offset = allocate(capacity) // may compact, which moves block.offset: read it after
      move(block, offset, capacity)
      holes += block.capacity * rowBytes
      block.offset = offset
    }
    const visibility = new Uint8Array(capacity)
    visibility.set(block.visibility)
    block.visibility = visibility
    block.capacity = capacity
  }

  function removeOne (id: string): void {
    const at = where.get(id)
    if (at === undefined) return
    where.delete(id)
    const block = blocks.get(at.personaId) as Block
    const last = --block.size
    if (at.slot !== last) {
      // swap-remove: the last slot fills the hole, so blocks stay dense and deletes stay O(dims)
      const to = block.offset + at.slot * vecBytes
      const from = block.offset + last * vecBytes
      bytes.copyWithin(to, from, from + vecBytes)
      bytes.copyWithin(codeAt(block, at.slot), codeAt(block, last), codeAt(block, last) + coder.bytes)
      block.ids[at.slot] = block.ids[last]
      block.userIds[at.slot] = block.userIds[last]
      block.visibility[at.slot] = block.visibility[last]
      const moved = where.get(block.ids[at.slot]) as { slot: number }
      moved.slot = at.slot
    }
    block.ids.pop()
    block.userIds.pop()
  }

  function upsertOne (item: IndexedMemory): void {
    if (item.vector.length !== dims) throw new Error(`vector of ${item.vector.length} dimensions for an index of ${dims} (${embedderId})`)
    let at = where.get(item.id)
    if (at !== undefined && at.personaId !== item.personaId) { removeOne(item.id); at = undefined }
    let block = blocks.get(item.personaId)
    if (block === undefined) {
      block = { offset: allocate(16), capacity: 16, size: 0, ids: [], userIds: [], visibility: new Uint8Array(16) }
      blocks.set(item.personaId, block)
    }
    if (at === undefined) {
      if (block.size === block.capacity) grow(block)
      at = { personaId: item.personaId, slot: block.size++ }
      where.set(item.id, at)
      block.ids.push(item.id)
      block.userIds.push(item.userId)
    } else {
      block.userIds[at.slot] = item.userId
    }
    const start = (block.offset + at.slot * vecBytes) >>> 2
    const row = floats.subarray(start, start + vecBytes / 4)
    row.fill(0) // the padding may hold an old row's floats
    normalised(item.vector, row.subarray(0, dims))
    const code = codeAt(block, at.slot)
    coder.encode(row, bytes.subarray(code, code + coder.bytes))
    block.visibility[at.slot] = VISIBILITY[item.visibility] ?? VISIBILITY.private
  }

  function query (q: VectorQuery): VectorHit[] {
    if (q.vector.length !== dims) throw new Error(`query vector of ${q.vector.length} dimensions for an index of ${dims} (${embedderId})`)
    const k = Math.min(q.limit, where.size)
    if (k <= 0) return []
    normalised(q.vector, floats.subarray(0, dims)) // the query sits at offset 0, its padding always zero
    const allowed = q.visibilities === undefined ? ALL_VISIBILITIES : q.visibilities.reduce((m, v) => m | (1 << VISIBILITY[v]), 0)
    const visible = (b: Block, s: number): boolean => {
      const vis = b.visibility[s]
      if (((allowed >> vis) & 1) === 0) return false
      const owner = b.userIds[s]
      return owner === null || owner === q.userId || vis === PUBLIC
    }
    const scanned: Block[] = []
    let rows = 0
    for (const personaId of new Set(q.personaIds)) {
      const block = blocks.get(personaId)
      if (block !== undefined && block.size > 0) { scanned.push(block); rows += block.size }
    }
    const best = createTopK<number>(k)
    const stride = vecBytes / 4
    const score = (b: Block, s: number) => kernels.dot(b.offset + s * vecBytes, 0, stride)
    const wanted = candidatesFor(k)
    if (rows <= Math.max(exactUpTo, wanted)) {
      scanned.forEach((b, i) => { for (let s = 0; s < b.size; s++) if (visible(b, s)) best.push(score(b, s), i * SLOT_BITS + s) })
    } else {
      // pass 1: every visible row's Hamming distance to the query's code, and their histogram
      coder.encode(floats.subarray(0, stride), bytes.subarray(vecBytes, vecBytes + coder.bytes))
      const out = (top + 15) & ~15
      ensure(out + rows * 2)
      const distances = new Uint16Array(memory.buffer, out, rows)
      const histogram = new Int32Array(coder.bytes * 8 + 1)
      let base = 0
      for (const b of scanned) {
        kernels.hamming(codeAt(b, 0), b.size, coder.bytes / 16, vecBytes, out + base * 2)
        for (let s = 0; s < b.size; s++) {
          if (visible(b, s)) histogram[distances[base + s]]++
          else distances[base + s] = EXCLUDED
        }
        base += b.size
      }
      // the smallest distance that admits `wanted` candidates (ties at the cut all come along)
      let cut = 0
      for (let taken = histogram[0]; taken < wanted && cut < histogram.length - 1;) taken += histogram[++cut]
      // pass 2: exact scores for the candidates
      base = 0
      scanned.forEach((b, i) => {
        for (let s = 0; s < b.size; s++) if (distances[base + s] <= cut) best.push(score(b, s), i * SLOT_BITS + s)
        base += b.size
      })
    }
    return best.sorted().map(({ item, score }) => ({ id: scanned[Math.floor(item / SLOT_BITS)].ids[item % SLOT_BITS], similarity: score }))
  }

  reset()
  return {
    kind: 'local',
    async open (embedder: Embedder) {
      // vectors of another embedder are meaningless next to this one's
      if (embedder.id === embedderId && embedder.dimensions === dims) return
      embedderId = embedder.id
      dims = embedder.dimensions
      vecBytes = Math.ceil(dims / LANES) * LANES * 4
      coder = createBinaryCoder(dims)
      rowBytes = vecBytes + coder.bytes
      reset()
    },
    async upsert (items) { for (const item of items) upsertOne(item) },
    async remove (ids) { for (const id of ids) removeOne(id) },
    query: async (q) => query(q),
    count: async () => where.size,
    status: () => ({ kind: 'local', available: true }),
    async close () { reset() },
    clear: reset,
    has: (id) => where.has(id),
  }
}
