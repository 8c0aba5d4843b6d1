import path from 'node:path'
import fp from 'fastify-plugin'
import { selectEmbedder } from '../src/llm/embedders/select.ts'
import { startBundledChroma, type BundledChroma } from '../src/store/vector/chroma-process.ts'
import { createChromaIndex } from '../src/store/vector/chroma.ts'
import { createVectorStore, type VectorStore } from '../src/store/vector/store.ts'

declare module 'fastify' {
  interface FastifyInstance {
    vectors: VectorStore
  }
}

/**
 * The embedder and the vector index: Chroma (at CHROMA_URL, or the server bundled in the chromadb
 * package, started here and stopped on shutdown) or the local in-process index.
 */
export default fp(async (app) => {
  const { config } = app
  const log = app.log.child({ component: 'vector' })
  const embedder = await selectEmbedder({ config: config.ollama, log, ollamaUp: app.llm.status().available })
  let bundled: BundledChroma | undefined
  let chroma
  let kind = config.vector.store
  if (kind === 'chroma') {
    let url = config.vector.chromaUrl
    if (url === undefined) {
      try {
        bundled = await startBundledChroma({ dataDir: path.resolve(config.server.dataDir), log })
        url = bundled.url
        log.info({ url }, 'bundled Chroma server started')
      } catch (err) {
        // memories live in SQLite either way: a Chroma that cannot start here must not keep the server down
        log.error({ err }, 'the bundled Chroma server did not start; using the local vector index (set CHROMA_URL or VECTOR_STORE=local)')
        kind = 'local'
      }
    }
    if (url !== undefined) chroma = createChromaIndex({ url, log })
  }
  const vectors = createVectorStore({
    kind, chroma, source: app.store.vectorSource, embedder, log, recheckMs: config.vector.recheckSeconds * 1000,
  })
  await vectors.open(embedder)
  log.info({ embedder: embedder.id, index: vectors.status() }, 'vector index open')
  void vectors.loaded().then(() => log.info({ embedder: embedder.id }, 'vector index loaded'))
  app.decorate('vectors', vectors)
  app.health.add('vector', () => {
    const status = vectors.status()
    return { status: status.available ? 'up' : 'degraded', detail: `${status.kind} (${status.embedder})${status.detail ? `: ${status.detail}` : ''}` }
  }, { required: false })
  app.addHook('onClose', async () => {
    await vectors.close()
    await bundled?.stop()
  })
}, { name: 'vector', dependencies: ['config', 'db', 'system', 'llm'] })
