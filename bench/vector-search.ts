import { rmSync } from 'node:fs'
import { fmt, percentile, tempDir } from './lib.ts'
import { startBundledChroma } from '../src/store/vector/chroma-process.ts'
import { createChromaIndex } from '../src/store/vector/chroma.ts'
import { createLocalIndex } from '../src/store/vector/local.ts'
import type { Embedder, IndexedMemory, VectorHit, VectorIndex, VectorQuery } from '../src/memory/types.ts'

// Vector search latency for one persona's memories at 1k, 10k and 100k (384 dims): the local exact index and
// the bundled Chroma server (HNSW over loopback HTTP), beside a brute-force baseline in the same process: a
// plain loop over an array of Float32Arrays computing cosine with both norms, then sorting every result.
// Recall@10 is measured against the baseline. Bounded: each measurement stops after a query count or a time
// budget, and Chroma at 100k only runs if loading 10k suggests it loads within CHROMA_LOAD_BUDGET_S.

const DIMS = 384
const K = 10
const SIZES = [1_000, 10_000, 100_000]
const CHROMA_LOAD_BUDGET_S = Number(process.env.CHROMA_LOAD_BUDGET_S ?? 180)
const embedder: Embedder = { id: `bench-${DIMS}`, dimensions: DIMS, embed: async () => [] }
const silent = { debug () {}, info () {}, warn () {}, error () {} }

let seed = 12345
const random = () => { // mulberry32: the same data every run
  seed = (seed + 0x6d2b79f5) | 0
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296
}
// clustered data, like real embeddings (topics), rather than uniform noise that no ANN index can do well on
const centres = Array.from({ length: 64 }, () => Float32Array.from({ length: DIMS }, () => random() * 2 - 1))
const sample = () => {
  const c = centres[Math.floor(random() * centres.length)]
  return Float32Array.from(c, (x) => x + (random() * 2 - 1) * 0.8)
}

function bruteForce (vectors: Float32Array[], ids: string[], q: Float32Array): VectorHit[] {
  const all: VectorHit[] = []
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i]
    let dot = 0; let nv = 0; let nq = 0
    for (let d = 0; d < v.length; d++) { dot += v[d] * q[d]; nv += v[d] * v[d]; nq += q[d] * q[d] }
    all.push({ id: ids[i], similarity: dot / Math.sqrt(nv * nq) })
  }
  return all.sort((a, b) => b.similarity - a.similarity).slice(0, K)
}

interface Measure { p50: number, p99: number, recall: number, n: number }

async function measure (queries: Float32Array[], truth: VectorHit[][], run: (q: VectorQuery) => Promise<VectorHit[]> | VectorHit[], budgetMs: number): Promise<Measure> {
  const times: number[] = []
  let found = 0
  const started = performance.now()
  for (let i = 0; i < queries.length && (i < 20 || performance.now() - started < budgetMs); i++) {
    const t0 = performance.now()
    const hits = await run({ vector: queries[i], personaIds: ['persona'], userId: 'user', limit: K })
    times.push(performance.now() - t0)
    const want = new Set(truth[i].map((h) => h.id))
    found += hits.filter((h) => want.has(h.id)).length
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 50), p99: percentile(times, 99), recall: found / (times.length * K), n: times.length }
}

async function load (index: VectorIndex, items: IndexedMemory[]): Promise<number> {
  const t0 = performance.now()
  for (let i = 0; i < items.length; i += 5000) await index.upsert(items.slice(i, i + 5000))
  return (performance.now() - t0) / 1000
}

const dir = tempDir('bench-vector-')
const chroma = await startBundledChroma({ dataDir: dir, log: silent })
const rows: string[] = []
let chromaSecondsPer1k = 0
try {
  for (const size of SIZES) {
    const vectors = Array.from({ length: size }, sample)
    const ids = vectors.map((_, i) => `m${i}`)
    // every memory visible to the querying user (ownerless or theirs), so all three scan the same set
    const items: IndexedMemory[] = vectors.map((vector, i) => ({ id: ids[i], personaId: 'persona', userId: i % 2 === 0 ? null : 'user', visibility: 'private', vector }))
    const queries = Array.from({ length: 300 }, sample)
    const truthCount = size >= 100_000 ? 60 : 300
    const truth = queries.slice(0, truthCount).map((q) => bruteForce(vectors, ids, q))

    const base = await measure(queries.slice(0, truthCount), truth, (q) => bruteForce(vectors, ids, q.vector), 15_000)
    const local = createLocalIndex()
    await local.open(embedder)
    const localLoad = await load(local, items)
    await local.query({ vector: queries[0], personaIds: ['persona'], userId: 'user', limit: K }) // warm-up
    const loc = await measure(queries.slice(0, truthCount), truth, (q) => local.query(q), 10_000)
    await local.close()
    const line = (name: string, m: Measure, loadS: number | string) =>
      `| ${size.toLocaleString('en')} | ${name} | ${fmt(m.p50)} | ${fmt(m.p99)} | ${fmt(base.p50 / m.p50, 1)}x | ${fmt(base.p99 / m.p99, 1)}x | ${fmt(m.recall, 3)} | ${typeof loadS === 'number' ? fmt(loadS, 1) : loadS} | ${m.n} |`
    rows.push(line('brute force (baseline)', base, '-'), line('local', loc, localLoad))

    const expected = chromaSecondsPer1k * size / 1000
    if (size >= 100_000 && expected > CHROMA_LOAD_BUDGET_S) {
      rows.push(`| ${size.toLocaleString('en')} | chroma | skipped: loading would take ~${fmt(expected, 0)} s (> ${CHROMA_LOAD_BUDGET_S} s budget) | | | | | | |`)
      continue
    }
    const index = createChromaIndex({ url: chroma.url, log: silent, timeoutMs: 120_000 })
    await index.open({ ...embedder, id: `bench-${size}` })
    const chromaLoad = await load(index, items)
    chromaSecondsPer1k = chromaLoad / (size / 1000)
    await index.query({ vector: queries[0], personaIds: ['persona'], userId: 'user', limit: K })
    const ch = await measure(queries.slice(0, truthCount), truth, (q) => index.query(q), 20_000)
    rows.push(line('chroma (bundled, loopback HTTP)', ch, chromaLoad))
    await index.clear()
  }
} finally {
  await chroma.stop()
  rmSync(dir, { recursive: true, force: true })
}

process.stdout.write([
  `Vector search, one persona, ${DIMS} dims, top-${K}; Node ${process.version}. Speed-up = brute-force latency / index latency.`,
  '',
  '| memories | index | p50 ms | p99 ms | speed-up p50 | speed-up p99 | recall@10 | load s | queries |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
].join('\n') + '\n')
