import t, { type Test } from 'tap'
import WebSocket from 'ws'
import { startOllamaFixture, type OllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'

// One long session against one server, driven the way clients written for the earlier Python server
// drive it (original-api.md): string ids, one request at a time, personas addressed by name, replies
// read as `result.<field>`, streams followed by their `event_type`.

const STREAM_END = new Set(['stream_complete', 'stream_cancelled', 'stream_error'])

/** An earlier-server client: string ids `<prefix>-<n>`, every frame kept in arrival order. */
class EarlierClient {
  readonly frames: any[] = []
  #watchers = new Set<() => void>()
  #next = 1
  private constructor (readonly socket: WebSocket, readonly prefix: string) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()))
      for (const watcher of [...this.#watchers]) watcher()
    })
  }

  static connect (url: string, prefix: string): Promise<EarlierClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      socket.once('open', () => resolve(new EarlierClient(socket, prefix)))
      socket.once('error', reject)
    })
  }

  /** Resolves with the frames of `id` once `done` holds for the last of them (or with what came, after a timeout). */
  until (id: string, done: (frame: any) => boolean, timeoutMs = 5000): Promise<any[]> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.#watchers.delete(check); resolve(this.frames.filter((f) => f.id === id)) }, timeoutMs)
      const check = () => {
        const mine = this.frames.filter((f) => f.id === id)
        const last = mine.at(-1)
        if (last === undefined || !done(last)) return
        this.#watchers.delete(check)
        clearTimeout(timer)
        resolve(mine)
      }
      this.#watchers.add(check)
      check()
    })
  }

  send (method: string, params: Record<string, unknown> = {}): string {
    const id = `${this.prefix}-${this.#next++}`
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }))
    return id
  }

  /** A plain call: the one reply of its id. */
  async request (method: string, params?: Record<string, unknown>): Promise<any> {
    const [reply] = await this.until(this.send(method, params), () => true)
    return reply
  }

  async call (method: string, params?: Record<string, unknown>): Promise<any> {
    const reply = await this.request(method, params)
    if (reply.error) throw new Error(`${method}: ${reply.error.code} ${reply.error.message}`)
    return reply.result
  }

  close (): void { this.socket.terminate() }
}

const chatPrompts = (fixture: OllamaFixture) =>
  fixture.requests.filter((r) => r.path === '/api/chat' && !String(r.body.messages[0]?.content).startsWith('Summarise'))

/** the fields of the earlier stream_complete frame (original-api.md, persona.chat_stream) */
function checkComplete (t: Test, result: any = {}, what: string) {
  t.equal(result.event_type, 'stream_complete', `${what}: event_type`)
  t.type(result.stream_id, 'string', `${what}: stream_id`)
  t.type(result.timestamp, 'string', `${what}: timestamp`)
  t.type(result.full_response, 'string', `${what}: full_response`)
  t.type(result.chunk_count, 'number', `${what}: chunk_count`)
  t.type(result.tokens_used, 'number', `${what}: tokens_used`)
  t.type(result.processing_time, 'number', `${what}: processing_time`)
  t.match(result.data, {
    full_response: result.full_response, chunk_count: result.chunk_count, processing_time: result.processing_time,
    response_length: result.full_response?.length, tokens_used: result.tokens_used,
  }, `${what}: the same data object`)
}

const PRUNE_FIELDS = ['status', 'memories_before', 'memories_pruned', 'memories_after', 'processing_time',
  'average_importance_pruned', 'average_importance_kept', 'prune_run_id']

t.test('a long session of earlier-server clients against one server', async (t) => {
  const fixture = await startOllamaFixture({ models: ['llama3.1:8b'] })
  t.teardown(() => fixture.close())
  const app = await build(t, { ollama: { host: fixture.url } })
  const url = await listen(app)
  const client = await EarlierClient.connect(url, 'cli')
  const legacy = await EarlierClient.connect(`${url}?compat=legacy`, 'old')
  t.teardown(() => { client.close(); legacy.close() })

  // persona.get: earlier clients read result.persona.id
  const got = await client.call('persona.get', { persona_id: 'Aria' })
  t.equal(got.persona?.id, got.id, 'persona.get nests the persona under `persona`')
  t.equal(got.persona?.name, 'Aria')
  t.equal(got.persona?.interaction_state?.social_energy, got.interaction_state.social_energy, 'the nested copy is the whole persona')

  // a persona-to-persona conversation first: it leaves both personas tired and cooling down
  const started = await client.call('conversation.start', { persona1_id: 'Aria', persona2_id: 'Kira', topic: 'magic' })
  const runId = client.send('conversation.run', { conversation_id: started.conversation_id, max_turns: 1 })
  const [run] = await client.until(runId, (f) => 'result' in f || 'error' in f)
  t.notOk(run?.error, 'conversation.run answers')
  checkComplete(t, run?.result, 'conversation.run')
  t.equal(run?.result?.turns_taken, run.result.chunk_count, 'one chunk per turn')
  const oldRunId = legacy.send('conversation.run', { conversation_id: started.conversation_id, max_turns: 1 })
  const oldRun = await legacy.until(oldRunId, (f) => STREAM_END.has(f.result?.event_type))
  t.ok(oldRun.length > 1 && oldRun.every((f) => f.jsonrpc === '2.0' && typeof f.result?.event_type === 'string'), 'legacy: every conversation.run event is a response frame')
  checkComplete(t, oldRun.at(-1)?.result, 'legacy conversation.run')
  await client.call('conversation.end', { conversation_id: started.conversation_id })
  t.ok((await client.call('persona.status', { persona_id: (await client.call('persona.get', { persona_id: 'Aria' })).id })).interaction_state.cooldown_until > Date.now() / 1000,
    'Aria is cooling down after the conversation')

  // hundreds of chats: never refused, state colours the answers instead
  const refusals: number[] = []
  const errors: unknown[] = []
  const chat = async (who: EarlierClient, message: string) => {
    const reply = await who.request('persona.chat', { message })
    if (reply.error) { errors.push(reply.error); if (reply.error.code === -32002) refusals.push(1) }
    return reply.result
  }
  const aria = await client.request('persona.switch', { persona_id: 'Aria' })
  t.equal(aria.result?.name, 'Aria', `switching to a persona in cooldown works (${JSON.stringify(aria.error)})`)
  for (let i = 1; i <= 300; i++) await chat(client, `Tell me story number ${i} about the silver woods and your lute`)
  t.equal(refusals.length, 0, 'Aria never answers -32002 in 300 chats')
  t.same(errors, [], 'and no other error')
  const ariaStatus = await client.call('persona.status')
  t.ok(ariaStatus.condition && ariaStatus.condition.state !== 'fresh', `Aria's condition shows (${JSON.stringify(ariaStatus.condition)})`)
  t.type(ariaStatus.condition?.mood_note, 'string', 'with a note in her voice')
  t.equal(typeof ariaStatus.interaction_state.is_available, 'boolean', 'the earlier fields stay')
  const lastPrompt = chatPrompts(fixture).at(-1)
  t.ok(lastPrompt?.body.messages[0].content.includes(ariaStatus.condition?.mood_note), 'the condition is in the prompt')
  t.ok(lastPrompt?.body.options.num_predict < 500, `and replies are shorter (num_predict ${lastPrompt?.body.options.num_predict})`)

  t.notOk((await legacy.request('persona.switch', { persona_id: 'Kira' })).error, 'so does switching to Kira')
  for (let i = 1; i <= 200; i++) await chat(legacy, `What does book ${i} of the archive say about discovery?`)
  t.equal(refusals.length, 0, 'Kira never answers -32002 in 200 chats')
  t.same(errors, [], 'and no other error')

  // streaming, JSON-RPC 2.0 framing: notifications, then one final response with the stream_complete fields
  const streamId = client.send('persona.chat_stream', { message: 'Sing me the song of the river' })
  const [final] = await client.until(streamId, () => true)
  t.notOk(final.error, 'the stream completes')
  checkComplete(t, final.result, 'persona.chat_stream')
  const events = client.frames.filter((f) => f.method === 'stream.event' && f.params.request_id === streamId)
  t.equal(events.filter((e) => e.params.event_type === 'stream_chunk').map((e) => e.params.chunk).join(''), final.result.full_response, 'chunks make the reply')
  t.equal(client.frames.filter((f) => f.id === streamId).length, 1, 'one response for the request')

  // streaming, legacy framing (?compat=legacy): every event a response with the request id, nothing after the end
  const oldId = legacy.send('persona.chat_stream', { message: 'Explain the stars to me' })
  const frames = await legacy.until(oldId, (f) => STREAM_END.has(f.result?.event_type))
  t.same(frames.map((f) => f.result?.event_type).filter((e, i, all) => all.indexOf(e) === i), ['stream_start', 'stream_chunk', 'stream_complete'])
  t.ok(frames.length > 0 && frames.every((f) => f.jsonrpc === '2.0' && !('error' in f) && f.result?.stream_id === frames[0].result.stream_id), 'one stream, one id')
  t.equal(frames[0]?.result?.persona_id, frames[0]?.result?.data?.persona_id, 'promoted fields')
  t.equal(frames.filter((f) => f.result?.event_type === 'stream_chunk').map((f) => f.result.chunk).join(''), frames.at(-1)?.result?.full_response)
  checkComplete(t, frames.at(-1)?.result, 'legacy persona.chat_stream')
  t.notOk(legacy.frames.some((f) => f.method === 'stream.event'), 'no notifications on a legacy connection')
  await legacy.call('persona.list')
  t.equal(legacy.frames.filter((f) => f.id === oldId).length, frames.length, 'no separate final response follows')

  // cross-persona search: private stays private, own memories filtered by the same flags
  const kiraId = (await client.call('persona.get', { persona_id: 'Kira' })).id
  for (const visibility of ['private', 'shared', 'public']) {
    await client.call('memory.store', { persona_id: 'Aria', content: `Aria ${visibility} note about the moonlit harbour`, visibility, importance: 0.95 })
    await client.call('memory.store', { persona_id: 'Kira', content: `Kira ${visibility} note about the moonlit harbour`, visibility, importance: 0.95 })
  }
  for (const include_shared of [true, false]) {
    for (const include_public of [true, false]) {
      const found = await client.call('memory.search_cross_persona', { query: 'moonlit harbour note', n_results: 50, include_shared, include_public })
      const allowed = new Set([...(include_shared ? ['shared'] : []), ...(include_public ? ['public'] : [])])
      const what = `include_shared ${include_shared}, include_public ${include_public}`
      t.ok(found.memories.every((m: any) => allowed.has(m.visibility)), `${what}: only ${[...allowed].join('+') || 'nothing'}`)
      t.same(found.memories.filter((m: any) => m.content.endsWith('moonlit harbour')).map((m: any) => `${m.source} ${m.visibility}`).sort(),
        [...allowed].flatMap((v) => [`own ${v}`, `cross_persona ${v}`]).sort(), `${what}: own and others' alike`)
      t.ok(found.memories.every((m: any) => m.source === (m.source_persona === kiraId ? 'cross_persona' : 'own')), `${what}: sources`)
      t.same(found.search_params, { min_importance: 0.6, include_shared, include_public })
    }
  }

  // a forced prune and one with nothing to prune: the earlier shape both times
  await client.call('memory.set_pruning_config', {
    target_count: 100, min_memories: 10, importance_threshold: 0.9, protect_younger_than_hours: 0, protect_accessed_within_hours: 0, protect_access_count: 1000,
  })
  const pruned = await client.call('memory.prune', { persona_id: 'Aria', force: true })
  t.equal(pruned.status, 'pruning_completed')
  for (const field of PRUNE_FIELDS) t.ok(field in pruned, `forced prune has ${field}`)
  t.ok(pruned.memories_pruned > 0 && pruned.memories_after === pruned.memories_before - pruned.memories_pruned, 'the counts add up')
  t.type(pruned.prune_run_id, 'string')
  const nothing = await client.call('memory.prune', { persona_id: 'Kira' })
  t.equal(nothing.status, 'no_pruning_needed')
  for (const field of PRUNE_FIELDS) t.ok(field in nothing, `prune with nothing to prune has ${field}`)
  t.match(nothing, { memories_pruned: 0, memories_after: nothing.memories_before, prune_run_id: null, average_importance_pruned: 0 })
  t.ok(nothing.memories_before >= 200, 'Kira kept every memory')
  t.type(nothing.processing_time, 'number')
  t.type(nothing.average_importance_kept, 'number')
})

t.test('legacy stream frames server-wide, and per connection back to JSON-RPC', async (t) => {
  const fixture = await startOllamaFixture({ models: ['llama3.1:8b'] })
  t.teardown(() => fixture.close())
  const app = await build(t, { ollama: { host: fixture.url }, compat: { legacyStreamFrames: true } })
  const url = await listen(app)
  const old = await EarlierClient.connect(url, 'old')
  const modern = await EarlierClient.connect(`${url}?compat=jsonrpc`, 'new')
  t.teardown(() => { old.close(); modern.close() })
  for (const c of [old, modern]) await c.call('persona.switch', { persona_id: 'Kira' })

  const id = old.send('persona.chat_stream', { message: 'hello' })
  const frames = await old.until(id, (f) => STREAM_END.has(f.result?.event_type))
  t.equal(frames[0].result.event_type, 'stream_start', 'server-wide legacy framing')
  checkComplete(t, frames.at(-1).result, 'server-wide legacy')

  const newId = modern.send('persona.chat_stream', { message: 'hello' })
  const [reply] = await modern.until(newId, () => true)
  checkComplete(t, reply.result, '?compat=jsonrpc')
  t.ok(modern.frames.some((f) => f.method === 'stream.event'), 'notifications again on that connection')

  // a cancelled stream ends with its terminal frame, and nothing follows it
  fixture.set({ chunkDelayMs: 30, reply: () => 'one two three four five six seven eight nine ten eleven twelve' })
  const cancelId = old.send('persona.chat_stream', { message: 'a long story' })
  const [start] = await old.until(cancelId, () => true)
  await old.call('persona.chat_cancel', { stream_id: start.result.stream_id })
  const cancelled = await old.until(cancelId, (f) => STREAM_END.has(f.result?.event_type))
  t.match(cancelled.at(-1).result, { event_type: 'stream_cancelled', stream_id: start.result.stream_id, data: { reason: 'Client cancelled' } })
  await old.call('persona.list')
  t.equal(old.frames.filter((f) => f.id === cancelId).length, cancelled.length, 'no error response after the cancelled frame')

  const invalidId = old.send('persona.chat_stream', { message: 'x'.repeat(9000) })
  const invalid = await old.until(invalidId, () => true)
  t.equal(invalid[0].error?.code, -32602, 'bad params are still a JSON-RPC error')

  const bogus = new WebSocket(`${url}?compat=bogus`)
  const closed = await new Promise<{ code: number, reason: string }>((resolve) => bogus.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  t.equal(closed.code, 1008, 'an unknown compat mode is refused')
  t.match(closed.reason, /compat/)
})

t.test('LEGACY_STREAM_FRAMES turns the legacy framing on server-wide', async (t) => {
  const { loadConfig } = await import('../../src/config/index.ts')
  const dir = t.testdir({ 'config.json': '{}' })
  const on = loadConfig({ file: `${dir}/config.json`, env: { LEGACY_STREAM_FRAMES: 'on' } })
  t.equal(on.compat.legacyStreamFrames, true)
  const off = loadConfig({ file: `${dir}/config.json`, env: {} })
  t.equal(off.compat.legacyStreamFrames, false, 'off by default')
  t.throws(() => loadConfig({ file: `${dir}/config.json`, env: { LEGACY_STREAM_FRAMES: 'maybe' } }), /legacyStreamFrames/)
})
