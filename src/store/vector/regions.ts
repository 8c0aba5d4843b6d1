// Rows in one WebAssembly memory, where the SIMD kernels can read them. Each region (one persona's rows)
// holds `capacity` rows of every part back to back: [part 0 of every row][part 1 of every row]..., so a
// scan over one part walks contiguous memory. Regions grow by doubling (in place when last, else moved) and
// are compacted when the holes moves leave pass a quarter of the memory in use. Offsets are in bytes.

export interface Region { offset: number, capacity: number, size: number }

export interface Regions {
  readonly memory: WebAssembly.Memory
  /** views of the memory; replaced when it grows (growing detaches the old ones), so read them after any allocation */
  readonly bytes: Uint8Array
  readonly floats: Float32Array
  readonly int8: Int8Array
  /** where part `part` of row `slot` starts */
  at (r: Region, part: number, slot: number): number
  create (capacity: number): Region
  /** doubles the capacity; the rows stay (their offsets change) */
  grow (r: Region): void
  /** row `from` over row `to`, every part */
  copyRow (r: Region, from: number, to: number): void
  /** an area of `bytes` past every region (16-byte aligned), valid until the next allocation */
  scratch (bytes: number): number
}

/** `partBytes`: bytes per row of each part (multiples of 16); `reserved`: bytes kept free at offset 0 */
export function createRegions (partBytes: number[], reserved: number): Regions {
  const rowBytes = partBytes.reduce((a, b) => a + b, 0)
  const before = partBytes.map((_, p) => partBytes.slice(0, p).reduce((a, b) => a + b, 0)) // part p starts at capacity * before[p]
  const memory = new WebAssembly.Memory({ initial: 1 })
  const regions = new Set<Region>()
  const start = (reserved + 15) & ~15
  let top = start
  let holes = 0 // bytes of regions abandoned by moves, reclaimed by compaction
  const self = {
    memory,
    bytes: new Uint8Array(memory.buffer),
    floats: new Float32Array(memory.buffer),
    int8: new Int8Array(memory.buffer),
    at: (r: Region, part: number, slot: number) => r.offset + r.capacity * before[part] + slot * partBytes[part],
    create (capacity: number): Region {
      const r = { offset: allocate(capacity), capacity, size: 0 }
      regions.add(r)
      return r
    },
    grow (r: Region): void {
      const capacity = r.capacity * 2
      if (r.offset + r.capacity * rowBytes === top) {
        // the last region grows in place; its parts move up, last first, so none overwrites the next
        top += r.capacity * rowBytes
        ensure(top)
        for (let p = partBytes.length - 1; p > 0; p--) self.bytes.copyWithin(r.offset + capacity * before[p], self.at(r, p, 0), self.at(r, p, r.size))
      } else {
        const offset = allocate(capacity) // may compact, which moves r.offset: read it after
        move(r, offset, capacity)
        holes += r.capacity * rowBytes
        r.offset = offset
      }
      r.capacity = capacity
    },
    copyRow (r: Region, from: number, to: number): void {
      for (let p = 0; p < partBytes.length; p++) self.bytes.copyWithin(self.at(r, p, to), self.at(r, p, from), self.at(r, p, from + 1))
    },
    scratch (bytes: number): number {
      ensure(top + bytes)
      return top
    },
  }

  function ensure (end: number): void {
    if (end <= self.bytes.length) return
    memory.grow(Math.ceil((end - self.bytes.length) / 65536))
    self.bytes = new Uint8Array(memory.buffer)
    self.floats = new Float32Array(memory.buffer)
    self.int8 = new Int8Array(memory.buffer)
  }

  /** a region's used rows to `to`, laid out for `capacity`; parts in order, as moves only go left when compacting */
  function move (r: Region, to: number, capacity: number): void {
    for (let p = 0; p < partBytes.length; p++) self.bytes.copyWithin(to + capacity * before[p], self.at(r, p, 0), self.at(r, p, r.size))
  }

  /** slides every region down over the holes (in address order, so none overwrites another) */
  function compact (): void {
    let at = start
    for (const r of [...regions].sort((x, y) => x.offset - y.offset)) {
      move(r, at, r.capacity)
      r.offset = at
      at += r.capacity * rowBytes
    }
    top = at
    holes = 0
  }

  function allocate (rows: number): number {
    if (holes > (top - start) / 4) compact()
    const offset = top
    top += rows * rowBytes
    ensure(top)
    return offset
  }

  return self
}
