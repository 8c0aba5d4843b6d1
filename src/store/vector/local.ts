import type { Embedder, IndexedMemory, VectorHit, VectorIndex, VectorQuery, Visibility } from '../../memory/types.ts'
import { createBinaryCoder, type BinaryCoder } from './codes.ts'
import { kernelsFor, type Kernels } from './kernels.ts'
import { createRegions, type Region, type Regions } from './regions.ts'
import { createTopK } from './top-k.ts'

// Cosine search in process. Vectors are normalised on the way in, so a similarity is one dot product; a
// query only touches the blocks of the personas it names, and the visibility rule is exact always.
// Scans of up to `exactUpTo` rows score every row exactly. Larger ones narrow down in three steps, each on
// less data: the Hamming distance of binary codes (codes.ts; 64 bytes per 384-dim vector, one WebAssembly
// call per block) keeps a few hundred candidates, int8 copies of their vectors (a quarter of the memory
// traffic of float32) keep 2k + 16, and the float32 dot product ranks those. Similarities returned are
// exact; only a candidate lost at a cut can be missed (recall@10 ~0.97 at 10k memories, bench/memory-search.ts).
// Each row has three parts in the module's linear memory (regions.ts): float32 vector, int8 vector, code.

const VISIBILITY: Record<Visibility, number> = { private: 0, shared: 1, public: 2 }
const PUBLIC = VISIBILITY.public
const ALL_VISIBILITIES = 0b111
/** rows are padded with zeros to a multiple of 16 dimensions: the kernels take 16 per iteration */
const LANES = 16
const [F32, I8, CODE] = [0, 1, 2]
/** the int16 query's largest magnitude: int8 x int16 products of up to 4096 dimensions fit an i32 lane */
const QUERY_SCALE = 4095
/** how far an int8 estimate of a cosine may stray (typically ~0.001 at 384 dims; 0.02 bounds nearly all) */
const INT8_ERROR = 0.02
/** a filtered-out row's distance: above any code length */
const EXCLUDED = 0xffff
/** block index and slot of a candidate in one number */
const SLOT_BITS = 2 ** 24

/**
 * Candidates kept by the code pass for a top-k. Measured on 10k hashed texts: recall@10 0.98 (356), @40
 * 0.96 (656), @100 ~0.96 (1,024); the memory service over-fetches and re-ranks by importance and recency,
 * so the deep ranks of a large k matter less.
 */
export const candidatesFor = (k: number): number => Math.max(2 * k, Math.min(256 + 10 * k, 1024))

/**
 * One persona's memories: slot i owns the i-th row of the region and the i-th entry of each array.
 * Owners are interned (0: ownerless), so the filter compares numbers, not 36-character ids.
 */
interface Block extends Region {
  ids: string[]
  owners: Int32Array
  visibility: Uint8Array
  scales: Float32Array
  /** owner -> how many of their rows only they may see (private or shared): none of another's, no row to filter */
  restricted: Map<number, number>
}

export interface LocalIndex extends VectorIndex {
  readonly kind: 'local'
  /** forgets every vector (the embedder stays) */
  clear (): void
  has (id: string): boolean
}

export interface LocalIndexOptions {
  /** scans of up to this many rows are exact (default 1024); larger ones narrow down first */
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

/** `v` rounded into `out` from index `at` so its largest magnitude is `max`; returns the factor back (0 for a zero vector) */
function quantise (v: Float32Array, out: Int8Array | Int16Array, at: number, max: number): number {
  let peak = 0
  for (let i = 0; i < v.length; i++) peak = Math.max(peak, Math.abs(v[i]))
  const scale = peak > 0 ? max / peak : 0
  for (let i = 0; i < v.length; i++) out[at + i] = Math.round(v[i] * scale)
  return peak > 0 ? 1 / scale : 0
}

export function createLocalIndex ({ exactUpTo = 1024 }: LocalIndexOptions = {}): LocalIndex {
  let dims = 0
  let stride = 0 // dimensions padded to LANES
  let embedderId: string | undefined
  let coder: BinaryCoder = createBinaryCoder(0)
  let blocks = new Map<string, Block>()
  // id -> where it lives; entries are mutated in place when swap-remove moves a slot
  let where = new Map<string, { personaId: string, slot: number }>()
  let regions: Regions
  let kernels: Kernels
  let interned = new Map<string, number>() // owner id -> its number (from 1)
  let histogram = new Int32Array(0) // of the code pass, reused
  // the query, at the start of memory: float32, int16, code
  const query16 = () => stride * 4
  const queryCode = () => stride * 6

  const ownerNumber = (userId: string | null): number => {
    if (userId === null) return 0
    let n = interned.get(userId)
    if (n === undefined) interned.set(userId, n = interned.size + 1)
    return n
  }

  function reset (): void {
    blocks = new Map()
    where = new Map()
    interned = new Map()
    histogram = new Int32Array(coder.bytes * 8 + 1)
    regions = createRegions([stride * 4, stride, coder.bytes], stride * 6 + coder.bytes)
    kernels = kernelsFor(regions.memory)
  }

  /** counts the row at `slot` in (+1) or out (-1) of its block's restricted rows */
  function restrict (b: Block, slot: number, delta: 1 | -1): void {
    const owner = b.owners[slot]
    if (owner === 0 || b.visibility[slot] === PUBLIC) return
    const n = (b.restricted.get(owner) ?? 0) + delta
    if (n === 0) b.restricted.delete(owner)
    else b.restricted.set(owner, n)
  }

  function grow (block: Block): void {
    regions.grow(block)
    const grown = <T extends Int32Array | Uint8Array | Float32Array>(a: T, make: (n: number) => T): T => { const b = make(block.capacity); b.set(a); return b }
    block.owners = grown(block.owners, (n) => new Int32Array(n))
    block.visibility = grown(block.visibility, (n) => new Uint8Array(n))
    block.scales = grown(block.scales, (n) => new Float32Array(n))
  }

  function removeOne (id: string): void {
    const at = where.get(id)
    if (at === undefined) return
    where.delete(id)
    const block = blocks.get(at.personaId) as Block
    restrict(block, at.slot, -1)
    const last = --block.size
    if (at.slot !== last) {
      // swap-remove: the last slot fills the hole, so blocks stay dense and deletes stay O(dims)
      regions.copyRow(block, last, at.slot)
      block.ids[at.slot] = block.ids[last]
      block.owners[at.slot] = block.owners[last]
      block.visibility[at.slot] = block.visibility[last]
      block.scales[at.slot] = block.scales[last]
      const moved = where.get(block.ids[at.slot]) as { slot: number }
      moved.slot = at.slot
    }
    block.ids.pop()
  }

  function upsertOne (item: IndexedMemory): void {
    if (item.vector.length !== dims) throw new Error(`vector of ${item.vector.length} dimensions for an index of ${dims} (${embedderId})`)
    let at = where.get(item.id)
    if (at !== undefined && at.personaId !== item.personaId) { removeOne(item.id); at = undefined }
    let block = blocks.get(item.personaId)
    if (block === undefined) {
      block = Object.assign(regions.create(16), { ids: [], owners: new Int32Array(16), visibility: new Uint8Array(16), scales: new Float32Array(16), restricted: new Map() })
      blocks.set(item.personaId, block)
    }
    if (at === undefined) {
      if (block.size === block.capacity) grow(block)
      at = { personaId: item.personaId, slot: block.size++ }
      where.set(item.id, at)
      block.ids.push(item.id)
    } else {
      restrict(block, at.slot, -1)
    }
    const { floats, int8 } = regions
    const start = regions.at(block, F32, at.slot) >>> 2
    const row = floats.subarray(start, start + stride)
    row.fill(0) // the padding may hold an old row's floats
    normalised(item.vector, row.subarray(0, dims))
    block.scales[at.slot] = quantise(row, int8, regions.at(block, I8, at.slot), 127)
    const code = regions.at(block, CODE, at.slot)
    coder.encode(row, regions.bytes.subarray(code, code + coder.bytes))
    block.owners[at.slot] = ownerNumber(item.userId)
    block.visibility[at.slot] = VISIBILITY[item.visibility] ?? VISIBILITY.private
    restrict(block, at.slot, 1)
  }

  function query (q: VectorQuery): VectorHit[] {
    if (q.vector.length !== dims) throw new Error(`query vector of ${q.vector.length} dimensions for an index of ${dims} (${embedderId})`)
    const k = Math.min(q.limit, where.size)
    if (k <= 0) return []
    const allowed = q.visibilities === undefined ? ALL_VISIBILITIES : q.visibilities.reduce((m, v) => m | (1 << VISIBILITY[v]), 0)
    const me = interned.get(q.userId) ?? -1 // a caller who owns nothing here matches only ownerless and public rows
    const scanned: Block[] = []
    let rows = 0
    for (const personaId of new Set(q.personaIds)) {
      const block = blocks.get(personaId)
      if (block !== undefined && block.size > 0) { scanned.push(block); rows += block.size }
    }
    const wanted = candidatesFor(k)
    const narrow = rows > Math.max(exactUpTo, wanted)
    const out = narrow ? regions.scratch(rows * 2) : 0 // may grow the memory: the views are read after it
    const { floats, memory, bytes } = regions
    const qf = floats.subarray(0, stride)
    normalised(q.vector, qf.subarray(0, dims)) // the padding stays zero: nothing else writes there
    const best = createTopK<number>(k)
    const exact = (b: Block, s: number, i: number) => best.push(kernels.dot(regions.at(b, F32, s), 0, stride), i * SLOT_BITS + s)
    const distances = new Uint16Array(memory.buffer, out, narrow ? rows : 0)
    if (narrow) {
      coder.encode(qf, bytes.subarray(queryCode(), queryCode() + coder.bytes))
      histogram.fill(0)
    }
    // the visibility rule on every row: exact scans score the visible ones; narrowing ones take the Hamming
    // distance of all (one call per block) and count the visible ones' distances
    let base = 0
    scanned.forEach((b, i) => {
      const { owners, visibility, size, restricted } = b
      if (narrow) kernels.hamming(regions.at(b, CODE, 0), size, coder.bytes / 16, queryCode(), out + base * 2)
      const everyRow = allowed === ALL_VISIBILITIES && (restricted.size === 0 || (restricted.size === 1 && restricted.has(me)))
      if (narrow && everyRow) {
        for (let s = base; s < base + size; s++) histogram[distances[s]]++
        base += size
        return
      }
      for (let s = 0; s < size; s++) {
        const vis = visibility[s]
        const owner = owners[s]
        const visible = ((allowed >> vis) & 1) === 1 && (owner === 0 || owner === me || vis === PUBLIC)
        if (!narrow) { if (visible) exact(b, s, i) } else if (visible) histogram[distances[base + s]]++
        else distances[base + s] = EXCLUDED
      }
      base += size
    })
    if (narrow) {
      // the smallest distance that admits `wanted` candidates (ties at the cut all come along)
      let cut = 0
      let taken = histogram[0]
      while (taken < wanted && cut < histogram.length - 1) taken += histogram[++cut]
      // the candidates' similarities by their int8 vectors
      const back = quantise(qf, new Int16Array(memory.buffer, query16(), stride), 0, QUERY_SCALE)
      const estimates = new Float64Array(taken)
      const items = new Float64Array(taken)
      const shortlist = createTopK<number>(2 * k + 16)
      let n = 0
      base = 0
      scanned.forEach((b, i) => {
        for (let s = 0; s < b.size; s++) {
          if (distances[base + s] > cut) continue
          estimates[n] = kernels.dot8(regions.at(b, I8, s), query16(), stride) * b.scales[s] * back
          items[n] = i * SLOT_BITS + s
          shortlist.push(estimates[n], n++)
        }
        base += b.size
      })
      // exactly: the shortlist and every candidate the int8 error could put in it (near-duplicates come along)
      const floor = shortlist.floor() - INT8_ERROR
      for (let j = 0; j < n; j++) {
        if (estimates[j] >= floor) exact(scanned[Math.floor(items[j] / SLOT_BITS)], items[j] % SLOT_BITS, Math.floor(items[j] / SLOT_BITS))
      }
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
      stride = Math.ceil(dims / LANES) * LANES
      coder = createBinaryCoder(dims)
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
