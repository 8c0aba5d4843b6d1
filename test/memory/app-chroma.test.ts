import t from 'tap'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'

// The default set-up, as `npm start` runs it: the Chroma server bundled in the chromadb package,
// started by the app as a child process, and stopped with it.

t.test('the app starts the bundled Chroma, searches through it, and stops it', async (t) => {
  const app = await build(t, { vector: { store: 'chroma' } })
  const ready = await app.inject({ method: 'GET', url: '/ready' })
  t.equal(ready.json().components.vector.status, 'up')
  t.match(ready.json().components.vector.detail, /chroma/)
  const client = await RpcClient.connect(await listen(app))
  t.teardown(() => client.terminate())
  await client.call('persona.switch', { persona_id: 'kira' })
  await client.call('memory.store', { content: 'The ley lines converge beneath the old observatory' })
  await client.call('memory.store', { content: 'Bread prices rose again at the market' })
  const found = await client.call('memory.search', { query: 'where do the ley lines meet?', n_results: 2 })
  t.match(found.memories[0].content, /ley lines/)
  t.equal(app.vectors.status().kind, 'chroma', 'Chroma answered the search')
})

t.test('a bundled Chroma that cannot start leaves the server up on the local index', async (t) => {
  const dataDir = t.testdir({ chroma: 'a file where Chroma wants its directory' })
  const app = await build(t, { server: { dataDir }, vector: { store: 'chroma' } })
  t.equal(app.vectors.status().kind, 'local')
  const ready = await app.inject({ method: 'GET', url: '/ready' })
  t.equal(ready.statusCode, 200)
  t.match(ready.json().components.vector.detail, /local/)
})
