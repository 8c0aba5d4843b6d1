import t from 'tap'
import { parseConfig } from '../../src/config/index.ts'
import { createHashingEmbedder, embedText } from '../../src/llm/embedders/hashing.ts'
import { createOllamaEmbedder, ollamaEmbedderId } from '../../src/llm/embedders/ollama.ts'
import { selectEmbedder } from '../../src/llm/embedders/select.ts'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0)
const norm = (a: Float32Array) => Math.sqrt(dot(a, a))

function memoryLog () {
  const lines: Array<{ level: string, obj: Record<string, unknown>, msg?: string }> = []
  const at = (level: string) => (obj: object, msg?: string) => { lines.push({ level, obj: obj as Record<string, unknown>, msg }) }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

t.test('hashing: deterministic, unit length, 384 dimensions named in the id', async (t) => {
  const e = createHashingEmbedder()
  t.equal(e.id, 'hash-384')
  t.equal(e.dimensions, 384)
  const [a, b, empty, symbols] = await e.embed(['The Dragon attacked!', 'the dragon   ATTACKED', '', '?!… --'])
  t.same(Array.from(a), Array.from(embedText('The Dragon attacked!', 384)), 'the same text gives the same vector')
  t.same(Array.from(a), Array.from(b), 'case, spacing and punctuation do not matter')
  for (const v of [a, empty, symbols]) t.ok(Math.abs(norm(v) - 1) < 1e-5, 'L2-normalised, even without words')
  t.equal(createHashingEmbedder(64).id, 'hash-64')
  t.equal((await createHashingEmbedder(64).embed(['x']))[0].length, 64)
  t.same(await e.embed([]), [])
})

t.test('hashing: paraphrases score clearly higher than unrelated text', async (t) => {
  const e = createHashingEmbedder()
  const cases: Array<[string, string, string]> = [
    ['I love playing the lute in taverns', 'she plays lute music at the tavern', 'quarterly tax filing deadlines'],
    ['The dragon attacked the northern village', 'a dragon burned villages in the north', 'my favourite food is spicy ramen'],
    ['My favourite food is spicy ramen', 'I really enjoy eating ramen with chili', 'the ship sailed across the stormy sea'],
  ]
  for (const [text, paraphrase, unrelated] of cases) {
    const [v, p, u] = await e.embed([text, paraphrase, unrelated])
    const close = dot(v, p)
    const far = dot(v, u)
    t.ok(close > 0.15 && close > 2 * Math.max(far, 0.05), `"${paraphrase}" ${close.toFixed(3)} >> "${unrelated}" ${far.toFixed(3)}`)
  }
  // shared stems count: plural and -ing forms overlap through character trigrams
  const [tavern, taverns, tax] = await e.embed(['tavern', 'taverns', 'tax'])
  t.ok(dot(tavern, taverns) > 0.4 && dot(tavern, tax) < 0.25)
})

t.test('hashing: a 200-character message embeds in well under 50 µs', async (t) => {
  const text = 'Yesterday I walked down to the old harbour and watched the fishing boats come in; the smell of salt and tar reminded me of my grandfather, who sailed these waters for forty years and loved it.'
  for (let i = 0; i < 2000; i++) embedText(text + i, 384)
  const n = 5000
  const started = performance.now()
  for (let i = 0; i < n; i++) embedText(text, 384)
  const micros = ((performance.now() - started) * 1000) / n
  t.comment(`${micros.toFixed(1)} µs per ${text.length}-character text`)
  t.ok(micros < 50)
})

t.test('ollama: dimension discovered by a probe, id names model and size, batches embedded', async (t) => {
  const fixture = await startOllamaFixture({ embedDimensions: 64 })
  t.teardown(() => fixture.close())
  const e = await createOllamaEmbedder({ host: fixture.url, model: 'nomic-embed-text', timeoutMs: 2000 })
  t.equal(e.dimensions, 64)
  t.equal(e.id, 'ollama-nomic-embed-text-64')
  const texts = Array.from({ length: 70 }, (_, i) => `memory number ${i}`)
  const vectors = await e.embed(texts)
  t.equal(vectors.length, 70)
  t.ok(vectors.every((v) => v instanceof Float32Array && v.length === 64))
  const embeds = fixture.requests.filter((r) => r.path === '/api/embed')
  t.same(embeds.map((r) => r.body.input.length), [1, 64, 6], 'one probe, then batches of at most 64')
  t.same(await e.embed([]), [])
  t.equal(ollamaEmbedderId('nomic-embed-text:v1.5', 768), 'ollama-nomic-embed-text-v1-5-768')
  t.equal(ollamaEmbedderId('library/mxbai embed', 1024), 'ollama-library-mxbai-embed-1024')
})

t.test('ollama: a missing model or an unreachable host fails creation', async (t) => {
  const fixture = await startOllamaFixture({ models: ['llama3.1:8b'] })
  t.teardown(() => fixture.close())
  await t.rejects(createOllamaEmbedder({ host: fixture.url, model: 'nomic-embed-text', timeoutMs: 2000 }), /not found/)
  await fixture.stop()
  await t.rejects(createOllamaEmbedder({ host: fixture.url, model: 'nomic-embed-text', timeoutMs: 2000 }))
})

t.test('select: Ollama with the embedding model, else the hashing embedder (logged with the reason)', async (t) => {
  const fixture = await startOllamaFixture({ embedDimensions: 32 })
  t.teardown(() => fixture.close())
  const config = (host: string) => parseConfig({ ollama: { host } }).ollama

  let log = memoryLog()
  const chosen = await selectEmbedder({ config: config(fixture.url), log })
  t.equal(chosen.id, 'ollama-nomic-embed-text-32')
  t.match(log.lines, [{ level: 'info', obj: { embedder: 'ollama-nomic-embed-text-32' } }])

  // the LLM found Ollama unavailable (say, its chat model is missing): still asked, briefly
  t.equal((await selectEmbedder({ config: config(fixture.url), log: memoryLog(), ollamaUp: false })).id, 'ollama-nomic-embed-text-32')

  fixture.set({ models: ['llama3.1:8b'] })
  log = memoryLog()
  t.equal((await selectEmbedder({ config: config(fixture.url), log })).id, 'hash-384')
  t.match(log.lines, [{ level: 'warn', obj: { embedder: 'hash-384', reason: /no model "nomic-embed-text"/ } }])

  await fixture.stop()
  log = memoryLog()
  const started = Date.now()
  t.equal((await selectEmbedder({ config: config(fixture.url), log })).id, 'hash-384')
  t.ok(Date.now() - started < 2500, 'never waits long for Ollama')
  t.match(log.lines, [{ level: 'warn', obj: { reason: /did not answer/ } }])
})
