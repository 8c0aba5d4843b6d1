import t from 'tap'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { matching, MAX_COMPLETIONS, toResult } from '../../src/mcp/completions.ts'
import { connect, serve } from './sdk-client.ts'

const persona = (client: Client, uri: string, value: string) =>
  client.complete({ ref: { type: 'ref/resource', uri }, argument: { name: 'persona_id', value } })
const topic = (client: Client, name: string, value: string) =>
  client.complete({ ref: { type: 'ref/prompt', name }, argument: { name: 'topic', value } })

t.test('persona_id of every resource template completes to names and ids, case-insensitively', async (t) => {
  const { url } = await serve(t)
  const client = await connect(t, url)
  t.ok(client.getServerCapabilities()?.completions, 'the capability is declared')
  const listed = (await client.callTool({ name: 'persona_list', arguments: {} })).structuredContent as { personas: Array<{ id: string, name: string }> }
  const aria = listed.personas.find((p) => p.name === 'Aria')!
  for (const uri of ['persona://{persona_id}', 'persona://{persona_id}/memory-stats', 'session://current/transcript/{persona_id}']) {
    const { completion } = await persona(client, uri, 'AR')
    t.ok(completion.values.includes('Aria'), `${uri}: the name`)
    t.notOk(completion.values.includes('Kira'), `${uri}: only what matches`)
    t.equal(completion.hasMore, false)
  }
  await client.callTool({ name: 'persona_create', arguments: { name: 'Arwen' } })
  t.same((await persona(client, 'persona://{persona_id}', 'ar')).completion.values.filter((v) => v.startsWith('Ar')).sort(), ['Aria', 'Arwen'], 'a new persona is offered')
  const all = (await persona(client, 'persona://{persona_id}', '')).completion.values
  t.ok(all.includes(aria.id) && all.includes('Kira'), 'nothing typed: every name and id')
})

t.test('topic of a roleplay prompt completes to favourite subjects and recent topics the caller may see', async (t) => {
  const { url } = await serve(t, { auth: { apiKeys: [{ user: 'alice', key: 'alice-key-1', scope: 'client' }, { user: 'bob', key: 'bob-key-1', scope: 'client' }] } })
  const alice = await connect(t, url, 'websocket', {}, 'alice-key-1')
  const bob = await connect(t, url, 'http', {}, 'bob-key-1')
  t.same((await topic(alice, 'roleplay_aria', 'mu')).completion.values, ['music'], 'Aria\'s favourite subject')
  t.same((await topic(alice, 'roleplay_kira', 'h')).completion.values, ['history'], 'Kira\'s')
  t.same((await topic(alice, 'roleplay_aria', 'news')).completion.values, ['local news'], 'a word inside a subject matches too, written as words')

  const started = await alice.callTool({ name: 'conversation_start', arguments: { persona1_id: 'aria', persona2_id: 'kira', topic: 'Moonlit rivers' } })
  t.notOk(started.isError)
  t.same((await topic(alice, 'roleplay_aria', 'moon')).completion.values, ['Moonlit rivers'], 'a topic Aria talked about lately')
  t.same((await topic(alice, 'roleplay_kira', 'riv')).completion.values, ['Moonlit rivers'], 'for both participants')
  t.same((await topic(bob, 'roleplay_aria', 'moon')).completion.values, [], 'not another user\'s conversation')

  const { conversation_id: id } = started.structuredContent as { conversation_id: string }
  const conversation = (client: Client, value: string) =>
    client.complete({ ref: { type: 'ref/resource', uri: 'conversation://{conversation_id}' }, argument: { name: 'conversation_id', value } })
  t.same((await conversation(alice, id.slice(0, 4))).completion.values, [id], 'conversation://{conversation_id}: the caller\'s own conversations')
  t.same((await conversation(bob, '')).completion.values, [], 'none of another user\'s')
})

t.test('what has no completions completes to an empty list, not an error', async (t) => {
  const { url } = await serve(t)
  const client = await connect(t, url)
  const empty = { completion: { values: [], hasMore: false } }
  t.same(await topic(client, 'test_prompt_with_arguments', 'test'), empty, 'an unknown prompt (the conformance suite asks for one)')
  t.same(await client.complete({ ref: { type: 'ref/prompt', name: 'roleplay_aria' }, argument: { name: 'mood', value: '' } }), empty, 'an argument the prompt does not have')
  t.same(await persona(client, 'memory://{other}', 'a'), empty, 'an unknown template')
  t.same(await client.complete({ ref: { type: 'ref/resource', uri: 'persona://{persona_id}' }, argument: { name: 'x', value: '' } }), empty)
  t.same((await persona(client, 'persona://{persona_id}', 'zzz')).completion.values, [], 'nothing matches')
})

t.test('at most 100 values, with the total and hasMore', async (t) => {
  const many = Array.from({ length: 150 }, (_v, i) => `topic ${String(i).padStart(3, '0')}`)
  const result = toResult(matching(many, 'TOP'))
  t.equal(result.completion.values.length, MAX_COMPLETIONS)
  t.equal(result.completion.total, 150)
  t.equal(result.completion.hasMore, true)
  t.same(matching(['Ancient history', 'History', 'histrionics', 'prehistory'], 'hist'), ['History', 'histrionics', 'Ancient history'], 'prefixes first, then word starts')
  t.same(matching(['Aria', 'aria', 'Aria'], 'a'), ['Aria', 'aria'], 'no repeats')
})
