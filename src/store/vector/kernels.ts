// The local index's inner loops as WebAssembly SIMD, hand-assembled (no toolchain at build time, ~200 bytes):
// - dot: the cosine of two unit f32 rows (f32x4, four accumulators), about 3x a scalar JS loop;
// - dot8: an int8 row times an int16 query, a quarter of dot's memory traffic for a first re-rank;
// - hamming: the distance between one query code and many 16-byte-chunked bit codes (popcnt over xor),
//   a whole block per call, so a scan of 10k codes costs one JS -> WebAssembly call, not 10k.
// Both work on the module's linear memory, which the caller owns and grows.

const uleb = (n: number): number[] => { const out = []; do { out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n >>>= 7 } while (n > 0); return out }
const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes]
const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))]
const body = (locals: number[], code: number[]) => { const b = [...locals, ...code, 0x0b]; return [...uleb(b.length), ...b] }

// opcodes used below (SIMD ones follow the 0xfd prefix)
const GET = 0x20
const SET = 0x21
const TEE = 0x22
const I32 = 0x41
const ADD = 0x6a
const SUB = 0x6b
const SIMD = 0xfd
const load = (off = 0) => [SIMD, 0, 4, ...uleb(off)]
const F32X4_ADD = [SIMD, 0xe4, 1]
const F32X4_MUL = [SIMD, 0xe6, 1]

/** acc(local) += load(a + off) * load(b + off), in f32x4 */
const mulAdd = (local: number, off: number) => [GET, local, GET, 0, ...load(off), GET, 1, ...load(off), ...F32X4_MUL, ...F32X4_ADD, SET, local]

/** (func dot (param a i32) (param b i32) (param n i32) (result f32)): byte offsets, n floats, n % 16 == 0 */
const DOT = body([1, 4, 0x7b], [ // four v128 accumulators, locals 3..6
  0x02, 0x40, 0x03, 0x40, GET, 2, 0x45, 0x0d, 1, // block loop: while n != 0
  ...mulAdd(3, 0), ...mulAdd(4, 16), ...mulAdd(5, 32), ...mulAdd(6, 48),
  GET, 0, I32, 0xc0, 0, ADD, SET, 0, GET, 1, I32, 0xc0, 0, ADD, SET, 1, GET, 2, I32, 16, SUB, SET, 2, // a += 64, b += 64, n -= 16
  0x0c, 0, 0x0b, 0x0b,
  GET, 3, GET, 4, ...F32X4_ADD, GET, 5, GET, 6, ...F32X4_ADD, ...F32X4_ADD, SET, 3, // fold the accumulators
  GET, 3, SIMD, 0x1f, 0, GET, 3, SIMD, 0x1f, 1, 0x92, GET, 3, SIMD, 0x1f, 2, 0x92, GET, 3, SIMD, 0x1f, 3, 0x92,
])

/**
 * (func hamming (param codes i32) (param count i32) (param chunks i32) (param q i32) (param out i32)):
 * out[i] (u16) = popcount(code_i xor q) for count codes of `chunks` 16-byte chunks each, stored back to back.
 * Per chunk the byte counts (<= 8) widen to u16 lanes before accumulating, so no code length overflows.
 */
const HAMMING = body([2, 2, 0x7f, 1, 0x7b], [ // locals 5 (chunks left), 6 (query cursor): i32; 7 (accumulator): v128
  0x02, 0x40, 0x03, 0x40, GET, 1, 0x45, 0x0d, 1, // block loop: while count != 0
  SIMD, 0x0c, ...new Array(16).fill(0), SET, 7,
  GET, 2, SET, 5, GET, 3, SET, 6,
  0x03, 0x40, // loop over the chunks
  GET, 7, GET, 0, ...load(), GET, 6, ...load(), SIMD, 0x51, SIMD, 0x62, SIMD, 0x7d, SIMD, 0x8e, 1, SET, 7, // acc += widen(popcnt(c ^ q))
  GET, 0, I32, 16, ADD, SET, 0, GET, 6, I32, 16, ADD, SET, 6,
  GET, 5, I32, 1, SUB, TEE, 5, 0x0d, 0, 0x0b,
  GET, 4, // the store's address, then the sum of the eight u16 lanes
  GET, 7, SIMD, 0x7f, SET, 7, // i32x4.extadd_pairwise_i16x8_u
  GET, 7, SIMD, 0x1b, 0, GET, 7, SIMD, 0x1b, 1, ADD, GET, 7, SIMD, 0x1b, 2, ADD, GET, 7, SIMD, 0x1b, 3, ADD,
  0x3b, 1, 0, // i32.store16 align=2
  GET, 4, I32, 2, ADD, SET, 4, GET, 1, I32, 1, SUB, SET, 1,
  0x0c, 0, 0x0b, 0x0b,
])

const I32X4_ADD = [SIMD, 0xae, 1]
const I32X4_DOT_I16X8 = [SIMD, 0xba, 1]
/** acc(local) += dot(extend(half of v), load(b + off)): i8 lanes widened to i16, multiplied and paired into i32 */
const dotHalf = (local: number, extend: number, off: number) => [GET, local, GET, 5, SIMD, extend, 1, GET, 1, ...load(off), ...I32X4_DOT_I16X8, ...I32X4_ADD, SET, local]

/**
 * (func dot8 (param a i32) (param b i32) (param n i32) (result i32)): n int8 at byte offset a times n int16
 * at b (n % 16 == 0). The caller keeps |b| <= 4096, so no i32 lane overflows below 4096 dimensions.
 */
const DOT8 = body([2, 2, 0x7b, 1, 0x7b], [ // locals 3, 4: accumulators; 5: the 16 bytes of a
  0x02, 0x40, 0x03, 0x40, GET, 2, 0x45, 0x0d, 1, // block loop: while n != 0
  GET, 0, ...load(), SET, 5,
  ...dotHalf(3, 0x87, 0), ...dotHalf(4, 0x88, 16), // extend_low_i8x16_s, extend_high_i8x16_s
  GET, 0, I32, 16, ADD, SET, 0, GET, 1, I32, 32, ADD, SET, 1, GET, 2, I32, 16, SUB, SET, 2,
  0x0c, 0, 0x0b, 0x0b,
  GET, 3, GET, 4, ...I32X4_ADD, SET, 3,
  GET, 3, SIMD, 0x1b, 0, GET, 3, SIMD, 0x1b, 1, ADD, GET, 3, SIMD, 0x1b, 2, ADD, GET, 3, SIMD, 0x1b, 3, ADD,
])

const MODULE = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, [3, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7d, 0x60, 5, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7f]),
  ...section(2, [1, ...name('env'), ...name('mem'), 2, 0, 1]),
  ...section(3, [3, 0, 1, 2]),
  ...section(7, [3, ...name('dot'), 0, 0, ...name('hamming'), 0, 1, ...name('dot8'), 0, 2]),
  ...section(10, [3, ...DOT, ...HAMMING, ...DOT8]),
]))

export interface Kernels {
  /** dot product of n floats (n % 16 == 0) at byte offsets a and b */
  dot (a: number, b: number, n: number): number
  /** u16 Hamming distances of `count` codes at `codes` (each `chunks` x 16 bytes) to the code at `q`, written at `out` */
  hamming (codes: number, count: number, chunks: number, q: number, out: number): void
  /** integer dot product of n int8 at byte offset a and n int16 at b (n % 16 == 0) */
  dot8 (a: number, b: number, n: number): number
}

export const kernelsFor = (memory: WebAssembly.Memory): Kernels =>
  new WebAssembly.Instance(MODULE, { env: { mem: memory } }).exports as unknown as Kernels
