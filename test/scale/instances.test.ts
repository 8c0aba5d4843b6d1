import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startBundledChroma } from '../../src/store/vector/chroma-process.ts'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { RpcClient } from '../helpers/rpc-client.ts'
import { postgresUnavailable, startPostgres } from '../helpers/postgres.ts'
import { startServer } from '../client/server.ts'

// Three server processes on one PostgreSQL and one Chroma server, as `docker compose --profile scale`
// runs them: a user moves between instances and sees one server.

t.setTimeout(240_000)
const skip = postgresUnavailable() ?? false
const quiet = { debug () {}, info () {}, warn () {}, error () {} }

t.test('three instances behind one address serve a user as one server would', { skip }, async (t) => {
  const pg = await startPostgres()
  t.teardown(() => pg.stop())
  const chromaDir = mkdtempSync(path.join(tmpdir(), 'pmcp-chroma-'))
  const chroma = await startBundledChroma({ dataDir: chromaDir, log: quiet })
  t.teardown(async () => { await chroma.stop(); rmSync(chromaDir, { recursive: true, force: true }) })
  const ollama = await startOllamaFixture()
  t.teardown(() => ollama.close())
  const env = { DATABASE_URL: await pg.createDatabase(), VECTOR_STORE: 'chroma', CHROMA_URL: chroma.url, OLLAMA_HOST: ollama.url }
  // one at a time: the first migrates, the others find it done (the racing start is test/store/postgres.test.ts's)
  const a = await startServer(t, env)
  const [b, c] = await Promise.all([startServer(t, env), startServer(t, env)])
  const connect = async (url: string) => {
    const client = await RpcClient.connect(url)
    t.teardown(() => client.terminate())
    return client
  }

  t.test('a session opened on A resumes on B with its conversation', async (t) => {
    const onA = await connect(a.url)
    const { session_id: sessionId } = await onA.call('session.get_info')
    await onA.call('persona.switch', { persona_id: 'aria' })
    const reply = await onA.call('persona.chat', { message: 'Tell me about the lighthouse' })
    t.ok(reply.response, 'Aria answered on A')
    onA.terminate()
    const onB = await connect(b.url)
    const resumed = await onB.call('session.resume', { session_id: sessionId })
    t.equal(resumed.session_id ?? sessionId, sessionId)
    const history = await onB.call('conversation.history', { persona_id: 'aria' })
    const contents = history.messages.map((m: { content: string }) => m.content)
    t.ok(contents.some((text: string) => text.includes('lighthouse')), 'B shows the turn made on A')
  })

  t.test('a subscriber on C receives the turns of a persona-to-persona conversation run on A', async (t) => {
    const onC = await connect(c.url)
    await onC.call('events.subscribe', { topics: ['conversation.*'] })
    const onA = await connect(a.url)
    const started = await onA.call('conversation.start', { persona1_id: 'aria', persona2_id: 'kira', topic: 'the sea' })
    await onA.call('conversation.turn', { conversation_id: started.conversation_id })
    const deadline = Date.now() + 10_000
    const seen = () => onC.notifications.filter((n) => n.method === 'events.event' && (n.params as { topic: string }).topic === `conversation.${started.conversation_id}`)
    while (seen().length === 0 && Date.now() < deadline) await sleep(50)
    t.ok(seen().length > 0, `C saw ${seen().length} event(s) of the conversation run on A`)
  })

  t.test('killing an instance mid-chat loses nothing acknowledged, and the others keep serving', async (t) => {
    const onB = await connect(b.url)
    const { session_id: sessionId } = await onB.call('session.get_info')
    await onB.call('persona.switch', { persona_id: 'kira' })
    await onB.call('persona.chat', { message: 'first, acknowledged' })
    ollama.set({ firstChunkDelayMs: 5_000 })
    const inFlight = onB.call('persona.chat', { message: 'second, never answered' }).catch((err: unknown) => err)
    await sleep(300)
    b.kill('SIGKILL')
    // the reply never comes: the socket just dies with the process
    const outcome = await Promise.race([inFlight, sleep(3_000).then(() => 'no reply')])
    t.not(typeof outcome === 'object' && outcome !== null && 'response' in outcome, true, 'the second chat was not answered')
    ollama.set({ firstChunkDelayMs: 0 })
    const onA = await connect(a.url)
    await onA.call('session.resume', { session_id: sessionId })
    const history = await onA.call('conversation.history', { persona_id: 'kira' })
    const contents = history.messages.map((m: { content: string }) => m.content)
    t.ok(contents.some((text: string) => text.includes('first, acknowledged')), 'the acknowledged turn is there on A')
    t.ok((await onA.call('ping')) !== undefined, 'A still serves')
    const onC = await connect(c.url)
    t.ok((await onC.call('persona.list')) !== undefined, 'C still serves')
  })
})
