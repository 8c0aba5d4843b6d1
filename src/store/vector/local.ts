import type { Embedder, IndexedMemory, VectorHit, VectorIndex, VectorQuery, Visibility } from '../../memory/types.ts'

// Exact cosine search in process. Vectors are normalised on the way in, so a search is one dot product per
// candidate; a query only touches the blocks of the personas it names. The dot product is a 40-byte
// WebAssembly SIMD kernel (f32x4, four accumulators): about 3x a scalar JS loop, which is what keeps 10k
// memories at 384 dims in a few milliseconds. So the vectors live in the module's linear memory: each
// persona owns one contiguous region there (grown by doubling, compacted when holes pass a quarter).

const VISIBILITY: Record<Visibility, number> = { private: 0, shared: 1, public: 2 }
const PUBLIC = VISIBILITY.public
const ALL_VISIBILITIES = 0b111
/** rows are padded with zeros to a multiple of 16 floats: the kernel takes 16 per iteration */
const LANES = 16

const uleb = (n: number): number[] => { const out = []; do { out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n >>>= 7 } while (n > 0); return out }
const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes]
const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))]
/** acc(local) += load(a + off) * load(b + off), in f32x4 */
const mulAdd = (local: number, off: number) => [0x20, local, 0x20, 0, 0xfd, 0, 4, ...uleb(off), 0x20, 1, 0xfd, 0, 4, ...uleb(off), 0xfd, 0xe6, 1, 0xfd, 0xe4, 1, 0x21, local]
/** (func dot (param a i32) (param b i32) (param n i32) (result f32)): byte offsets, n floats, n % 16 == 0 */
const KERNEL = [
  1, 4, 0x7b, // four v128 accumulators, locals 3..6
  0x02, 0x40, 0x03, 0x40, 0x20, 2, 0x45, 0x0d, 1, // block loop: while n != 0
  ...mulAdd(3, 0), ...mulAdd(4, 16), ...mulAdd(5, 32), ...mulAdd(6, 48),
  0x20, 0, 0x41, 0xc0, 0, 0x6a, 0x21, 0, 0x20, 1, 0x41, 0xc0, 0, 0x6a, 0x21, 1, 0x20, 2, 0x41, 16, 0x6b, 0x21, 2, // a += 64, b += 64, n -= 16
  0x0c, 0, 0x0b, 0x0b,
  0x20, 3, 0x20, 4, 0xfd, 0xe4, 1, 0x20, 5, 0x20, 6, 0xfd, 0xe4, 1, 0xfd, 0xe4, 1, 0x21, 3, // fold the accumulators
  0x20, 3, 0xfd, 0x1f, 0, 0x20, 3, 0xfd, 0x1f, 1, 0x92, 0x20, 3, 0xfd, 0x1f, 2, 0x92, 0x20, 3, 0xfd, 0x1f, 3, 0x92, 0x0b,
]
const MODULE = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7d]),
  ...section(2, [1, ...name('env'), ...name('mem'), 2, 0, 1]),
  ...section(3, [1, 0]),
  ...section(7, [1, ...name('dot'), 0, 0]),
  ...section(10, [1, ...uleb(KERNEL.length), ...KERNEL]),
]))

/** One persona's memories: slot i owns heap[offset + i*stride ...] and the i-th entry of each array. */
interface Block { offset: number, capacity: number, size: number, ids: string[], userIds: Array<string | null>, visibility: Uint8Array }

export interface LocalIndex extends VectorIndex {
  readonly kind: 'local'
  /** forgets every vector (the embedder stays) */
  clear (): void
  has (id: string): boolean
}

/** Copies `v` scaled to unit length into `out` (a zero vector stays zero and matches nothing). */
export function normalised (v: Float32Array, out: Float32Array = new Float32Array(v.length)): Float32Array {
  let sum = 0
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i]
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0
  for (let i = 0; i < v.length; i++) out[i] = v[i] * scale
  return out
}

export function createLocalIndex (): LocalIndex {
  let dims = 0
  let stride = 0
  let embedderId: string | undefined
  let blocks = new Map<string, Block>()
  // id -> where it lives; entries are mutated in place when swap-remove moves a slot
  let where = new Map<string, { personaId: string, slot: number }>()
  let memory: WebAssembly.Memory
  let heap: Float32Array // a view of memory; replaced whenever memory grows (growing detaches it)
  let dot: (a: number, b: number, n: number) => number
  let top = 0 // bump allocator, in floats; floats [0, stride) hold the query
  let holes = 0 // floats of regions abandoned by growth, reclaimed by compaction

  function reset (): void {
    blocks = new Map()
    where = new Map()
    memory = new WebAssembly.Memory({ initial: 1 })
    heap = new Float32Array(memory.buffer)
    dot = (new WebAssembly.Instance(MODULE, { env: { mem: memory } }).exports as { dot: typeof dot }).dot
    top = stride
    holes = 0
  }

  /** slides every region down over the holes (copyWithin handles the overlap; regions only move left) */
  function compact (): void {
    let at = stride
    for (const b of [...blocks.values()].sort((x, y) => x.offset - y.offset)) {
      heap.copyWithin(at, b.offset, b.offset + b.size * stride)
      b.offset = at
      at += b.capacity * stride
    }
    top = at
    holes = 0
  }

  function allocate (rows: number): number {
    if (holes > top / 4) compact()
    return reserve(rows)
  }

  function reserve (rows: number): number {
    const need = top + rows * stride
    if (need > heap.length) {
      memory.grow(Math.ceil((need - heap.length) * 4 / 65536))
      heap = new Float32Array(memory.buffer)
    }
    const offset = top
    top = need
    return offset
  }

  function grow (block: Block): void {
    const capacity = block.capacity * 2
    let offset: number
    if (block.offset + block.capacity * stride === top) {
      reserve(block.capacity) // the last region grows in place: no copy, no hole
      offset = block.offset
    } else {
      offset = allocate(capacity) // may compact, which moves block.offset: read it after
      heap.copyWithin(offset, block.offset, block.offset + block.size * stride)
      holes += block.capacity * stride
    }
    const visibility = new Uint8Array(capacity)
    visibility.set(block.visibility)
    Object.assign(block, { offset, capacity, visibility })
  }

  function removeOne (id: string): void {
    const at = where.get(id)
    if (at === undefined) return
    where.delete(id)
    const block = blocks.get(at.personaId) as Block
    const last = --block.size
    if (at.slot !== last) {
      // swap-remove: the last slot fills the hole, so blocks stay dense and deletes stay O(dims)
      heap.copyWithin(block.offset + at.slot * stride, block.offset + last * stride, block.offset + (last + 1) * stride)
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
    const offset = block.offset + at.slot * stride
    normalised(item.vector, heap.subarray(offset, offset + dims))
    heap.fill(0, offset + dims, offset + stride) // the padding may hold an old row's floats
    block.visibility[at.slot] = VISIBILITY[item.visibility] ?? VISIBILITY.private
  }

  function query (q: VectorQuery): VectorHit[] {
    if (q.vector.length !== dims) throw new Error(`query vector of ${q.vector.length} dimensions for an index of ${dims} (${embedderId})`)
    const k = Math.min(q.limit, where.size)
    if (k <= 0) return []
    normalised(q.vector, heap.subarray(0, dims)) // the query sits at offset 0, its padding always zero
    const allowed = q.visibilities === undefined ? ALL_VISIBILITIES : q.visibilities.reduce((m, v) => m | (1 << VISIBILITY[v]), 0)
    // a min-heap of the best k so far: the root is the score to beat
    const scores = new Float64Array(k)
    const hitBlocks: Block[] = new Array(k)
    const hitSlots = new Int32Array(k)
    let n = 0
    for (const personaId of new Set(q.personaIds)) {
      const block = blocks.get(personaId)
      if (block === undefined) continue
      const { userIds, visibility, offset } = block
      for (let s = 0; s < block.size; s++) {
        const vis = visibility[s]
        if (((allowed >> vis) & 1) === 0) continue
        const owner = userIds[s]
        if (owner !== null && owner !== q.userId && vis !== PUBLIC) continue
        const score = dot((offset + s * stride) * 4, 0, stride)
        if (n < k) {
          let i = n++
          while (i > 0) { // sift up
            const parent = (i - 1) >> 1
            if (scores[parent] <= score) break
            scores[i] = scores[parent]; hitBlocks[i] = hitBlocks[parent]; hitSlots[i] = hitSlots[parent]
            i = parent
          }
          scores[i] = score; hitBlocks[i] = block; hitSlots[i] = s
        } else if (score > scores[0]) {
          let i = 0
          for (;;) { // sift down from the root
            let child = 2 * i + 1
            if (child >= k) break
            if (child + 1 < k && scores[child + 1] < scores[child]) child++
            if (scores[child] >= score) break
            scores[i] = scores[child]; hitBlocks[i] = hitBlocks[child]; hitSlots[i] = hitSlots[child]
            i = child
          }
          scores[i] = score; hitBlocks[i] = block; hitSlots[i] = s
        }
      }
    }
    const hits: VectorHit[] = []
    for (let i = 0; i < n; i++) hits.push({ id: hitBlocks[i].ids[hitSlots[i]], similarity: scores[i] })
    return hits.sort((a, b) => b.similarity - a.similarity)
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
