import t from 'tap'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { RpcClient } from '../helpers/rpc-client.ts'
import { UserRecords } from '../../src/users/schemas.ts'

// The export is the stored rows column by column (src/users/schemas.ts): a column added to one of these
// tables must be exported or named here as left out, with the reason.
const TABLES: Record<keyof typeof UserRecords.properties, { table: string, leftOut: string[] }> = {
  sessions: { table: 'Session', leftOut: [] },
  conversations: { table: 'Conversation', leftOut: [] },
  messages: { table: 'Message', leftOut: [] },
  // the vector: derived from the content, not the user's words
  memories: { table: 'Memory', leftOut: ['embedding'] },
  // never written (always the empty default)
  relationships: { table: 'Relationship', leftOut: ['sharedExperiences', 'memorableMoments', 'conflictHistory', 'compatibilityFactors'] },
  relationship_events: { table: 'RelationshipEvent', leftOut: [] },
  // the secret's hash never leaves
  api_keys: { table: 'ApiKey', leftOut: ['keyHash'] },
  // the persona is not the user's data: that they created it is
  personas_owned: { table: 'Persona', leftOut: [] },
}

const KEYS = [
  { user: 'alice', key: 'alice-key-1', scope: 'client' },
  { user: 'ops', key: 'ops-admin-key', scope: 'admin' },
]
const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } })

t.test('every column of the user\'s tables is exported or left out by name', async (t) => {
  const app = await build(t)
  for (const [kind, { table, leftOut }] of Object.entries(TABLES)) {
    const columns = (app.db.sqlite.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>).map((c) => c.name)
    const exported = Object.keys(UserRecords.properties[kind as keyof typeof TABLES].items.properties)
    if (kind === 'personas_owned') {
      t.same(exported.filter((c) => !columns.includes(c)), [], 'personas_owned: existing columns only')
      continue
    }
    t.same(columns.filter((c) => !exported.includes(c) && !leftOut.includes(c)), [], `${table}: no column forgotten`)
    t.same(exported.filter((c) => !columns.includes(c)), [], `${table}: no column made up`)
  }
})

t.test('the export keeps each value\'s type; an erase disowns the personas the user made, cache included', async (t) => {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const app = await build(t, { auth: { apiKeys: KEYS }, ollama: { host: fixture.url } })
  const alice = await RpcClient.connect(await listen(app), bearer('alice-key-1'))
  t.teardown(() => alice.terminate())

  await alice.call('persona.switch', { persona_id: 'aria' })
  // text that looks like JSON stays text: the export parses JSON columns by name, never by their look
  await alice.call('persona.chat', { message: '[1, 2, 3]' })
  await alice.call('memory.store', { persona_id: 'aria', content: '{"not": "json to parse"}', metadata: { mood: { song: 'lute' } } })
  await alice.call('state.save', {})
  const quill = await alice.call('persona.create', { name: 'Quill' })

  const exported = await alice.call('user.export', {})
  t.ok(exported.messages.some((m: { content: unknown }) => m.content === '[1, 2, 3]'), 'a message that looks like JSON is a string')
  const memory = exported.memories.find((m: { content: unknown }) => m.content === '{"not": "json to parse"}')
  t.ok(memory, 'so is a memory')
  t.same(memory.metadata, { mood: { song: 'lute' } }, 'metadata is JSON, parsed')
  t.ok(exported.sessions.some((s: { snapshot: { active_conversation_ids?: unknown } | null }) => Array.isArray(s.snapshot?.active_conversation_ids)), 'the saved state, parsed')
  t.same(exported.personas_owned.map((p: { id: string }) => p.id), [quill.persona_id])
  t.notOk('embedding' in memory, 'no vector')

  const receipt = await alice.call('user.erase', {})
  t.equal(receipt.counts.personas_disowned, 1)
  const after = await alice.call('persona.get', { persona_id: 'quill' })
  t.equal(after.owner_id, null, 'the persona stays, without an owner, in what the service answers too')
  // a key for the same user id later is not the owner any more
  const again = await alice.request('persona.update', { persona_id: 'quill', description: 'mine again?' })
  t.equal(again.error?.code, -32005, 'forbidden')
})
