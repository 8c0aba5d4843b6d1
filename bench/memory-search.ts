import { rmSync } from 'node:fs'
import { ChromaClient } from 'chromadb'
import { RpcClient } from '../test/helpers/rpc-client.ts'
import { connect, fmt, percentile, roundTrips, startServer, tempDir, type LoopResult } from './lib.ts'
import { createHashingEmbedder } from '../src/llm/embedders/hashing.ts'
import { startBundledChroma } from '../src/store/vector/chroma-process.ts'
import { createChromaIndex } from '../src/store/vector/chroma.ts'
import { createLocalIndex } from '../src/store/vector/local.ts'
import type { IndexedMemory, VectorHit, VectorQuery } from '../src/memory/types.ts'

// memory.search with 10,000 memories on one persona, through the server in its own process (local index,
// the hashing embedder, as with no Ollama), beside `ping` on the same server in the same run, at 1 and 100
// sockets. Then, in this process on the same texts: the local index's two-pass search against an exact scan
// (latency and recall@10), and the bundled Chroma (its own process): a collection per persona, as the index
// now keeps them, against one filtered collection holding every persona, as it did before.

const MEMORIES = Number(process.argv[2] ?? 10_000)
const SECONDS = Number(process.argv[3] ?? 5)
const OTHER_PERSONA = 5_000 // the single collection of before also held other personas' memories
const K = 10
const silent = { debug () {}, info () {}, warn () {}, error () {} }

let seed = 20261201
const random = () => { // mulberry32: the same texts every run
  seed = (seed + 0x6d2b79f5) | 0
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296
}
// sentences over a 2,000-word vocabulary with a skewed frequency, as in speech: some words are everywhere
const syllables = 'ka lo mi ran te su vor nel pa di gro ush el tha bri on qu ze fa mo'.split(' ')
const vocabulary = Array.from({ length: 2000 }, () => Array.from({ length: 2 + Math.floor(random() * 2) }, () => syllables[Math.floor(random() * syllables.length)]).join(''))
const sentence = (min: number, max: number) => Array.from({ length: min + Math.floor(random() * (max - min)) }, () => vocabulary[Math.floor(random() ** 2 * vocabulary.length)]).join(' ')
const texts = Array.from({ length: MEMORIES }, () => sentence(6, 20))
const queries = Array.from({ length: 300 }, () => sentence(3, 9))

// --- through the server ---
const server = await startServer()
const seeder = await RpcClient.connect(server.url)
await seeder.call('persona.create', { name: 'Archivist', description: 'Remembers everything.' })
const seedStarted = performance.now()
const seeders = await Promise.all(Array.from({ length: 8 }, () => RpcClient.connect(server.url)))
await Promise.all(seeders.map(async (client, c) => {
  for (let i = c; i < texts.length; i += seeders.length) await client.call('memory.store', { persona_id: 'Archivist', content: texts[i], importance: 0.5 })
}))
const seedSeconds = (performance.now() - seedStarted) / 1000
for (const client of [seeder, ...seeders]) client.terminate()

let id = 0
let next = 0
const ping = () => JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'ping' })
const search = () => JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'memory.search', params: { persona_id: 'Archivist', query: queries[next++ % queries.length], n_results: K } })
const row = (name: string, r: LoopResult) => `| ${name} | ${fmt(r.perSecond, 0)} | ${fmt(r.p50, 3)} | ${fmt(r.p99, 3)} |`
const serverRows: string[] = []
for (const n of [1, 100]) {
  const sockets = await connect(server.url, n)
  await roundTrips(sockets, ping, 1) // warm-up
  const p = await roundTrips(sockets, ping, SECONDS)
  await roundTrips(sockets, search, 1)
  const s = await roundTrips(sockets, search, SECONDS)
  serverRows.push(row(`ping, ${n} socket${n > 1 ? 's' : ''} (baseline)`, p), row(`memory.search, ${n} socket${n > 1 ? 's' : ''}`, s),
    `| memory.search / ping at ${n} | **${fmt(s.perSecond / p.perSecond)}x** | **${fmt(s.p50 / p.p50, 1)}x** | **${fmt(s.p99 / p.p99, 1)}x** |`)
  for (const socket of sockets) socket.terminate()
}
server.child.kill('SIGTERM')

// --- the indexes, in this process, on the same texts ---
const embedder = createHashingEmbedder()
const vectors = await embedder.embed(texts)
const queryVectors = await embedder.embed(queries)
const items = (personaId: string, from: Float32Array[]): IndexedMemory[] =>
  from.map((vector, i) => ({ id: `${personaId}-${i}`, personaId, userId: i % 3 === 0 ? null : 'user', visibility: 'private', vector }))
const mine = items('persona', vectors)
const query = (vector: Float32Array): VectorQuery => ({ vector, personaIds: ['persona'], userId: 'user', limit: K })

interface Measure { p50: number, p99: number, recall: number }
async function measure (run: (q: VectorQuery) => Promise<VectorHit[]>, truth?: VectorHit[][]): Promise<Measure> {
  for (let i = 0; i < 20; i++) await run(query(queryVectors[i])) // warm-up
  const times: number[] = []
  let found = 0
  for (let i = 0; i < queryVectors.length; i++) {
    const t0 = performance.now()
    const hits = await run(query(queryVectors[i]))
    times.push(performance.now() - t0)
    const want = new Set((truth?.[i] ?? hits).map((h) => h.id))
    found += hits.filter((h) => want.has(h.id)).length
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 50), p99: percentile(times, 99), recall: found / (queryVectors.length * K) }
}

const exact = createLocalIndex({ exactUpTo: Infinity })
const local = createLocalIndex()
for (const index of [exact, local]) { await index.open(embedder); await index.upsert(mine) }
const truth = await Promise.all(queryVectors.map((v) => exact.query(query(v))))
const indexRows: Array<[string, Measure]> = [['exact scan (baseline)', await measure((q) => exact.query(q), truth)], ['local index, two-pass', await measure((q) => local.query(q), truth)]]

const dir = tempDir('bench-memory-search-')
const chroma = await startBundledChroma({ dataDir: dir, log: silent })
let chromaLoad = 0
try {
  // before: every persona in one collection, the persona and the visibility rule as one `where`
  const url = new URL(chroma.url)
  const client = new ChromaClient({ host: url.hostname, port: Number(url.port) })
  const one = await client.getOrCreateCollection({ name: 'bench_one_collection', embeddingFunction: null, configuration: { hnsw: { space: 'cosine' } } })
  const everyone = [...mine, ...items('other', vectors.slice(0, OTHER_PERSONA))]
  for (let i = 0; i < everyone.length; i += 1000) {
    const chunk = everyone.slice(i, i + 1000)
    await one.upsert({ ids: chunk.map((m) => m.id), embeddings: chunk.map((m) => Array.from(m.vector)), metadatas: chunk.map((m) => ({ personaId: m.personaId, userId: m.userId ?? '', visibility: m.visibility })) })
  }
  indexRows.push(['chroma, one filtered collection (before)', await measure(async (q) => {
    const r = await one.query({
      queryEmbeddings: [Array.from(q.vector)], nResults: q.limit, include: ['distances'],
      where: { $and: [{ personaId: q.personaIds[0] }, { $or: [{ userId: { $in: [q.userId, ''] } }, { visibility: 'public' }] }] },
    })
    return (r.ids[0] ?? []).map((id, i) => ({ id, similarity: 1 - (r.distances[0]?.[i] ?? 1) }))
  }, truth)])
  await client.deleteCollection({ name: 'bench_one_collection' })

  const ours = createChromaIndex({ url: chroma.url, log: silent, timeoutMs: 120_000 })
  await ours.open(embedder)
  const t0 = performance.now()
  for (let i = 0; i < everyone.length; i += 5000) await ours.upsert(everyone.slice(i, i + 5000))
  chromaLoad = (performance.now() - t0) / 1000
  indexRows.push(['chroma, a collection per persona (ours)', await measure((q) => ours.query(q), truth)])
  await ours.clear()
  await ours.close()
} finally {
  await chroma.stop()
  rmSync(dir, { recursive: true, force: true })
}

process.stdout.write([
  `memory.search on ${MEMORIES.toLocaleString('en')} memories of one persona, top-${K}, ${SECONDS} s per run (seeded through memory.store in ${fmt(seedSeconds, 1)} s). Target at 100 sockets: 2,000 calls/s, p99 under 20 ms.`,
  '',
  '| run | calls/s | p50 ms | p99 ms |',
  '|---|---|---|---|',
  ...serverRows,
  '',
  `The index alone, in process, ${MEMORIES.toLocaleString('en')} memories (Chroma: ${OTHER_PERSONA.toLocaleString('en')} of another persona beside them, loaded in ${fmt(chromaLoad, 1)} s). Target: recall@10 >= 0.95; Chroma p99 under 10 ms.`,
  '',
  '| index | p50 ms | p99 ms | vs exact p50 | vs exact p99 | recall@10 |',
  '|---|---|---|---|---|---|',
  ...indexRows.map(([name, m]) => `| ${name} | ${fmt(m.p50, 3)} | ${fmt(m.p99, 3)} | ${fmt(indexRows[0][1].p50 / m.p50, 1)}x | ${fmt(indexRows[0][1].p99 / m.p99, 1)}x | ${fmt(m.recall, 3)} |`),
].join('\n') + '\n')
