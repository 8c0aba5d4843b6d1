import t from 'tap'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js'
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { connect, serve, until, type Kind } from './sdk-client.ts'

const keys = { auth: { apiKeys: [{ user: 'alice', key: 'alice-key-1', scope: 'client' }, { user: 'bob', key: 'bob-key-1', scope: 'client' }] } }

/** every resources/updated URI the client hears, in order */
function updates (client: Client): string[] {
  const heard: string[] = []
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { heard.push(n.params.uri) })
  return heard
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

for (const kind of ['websocket', 'http'] as Kind[]) {
  t.test(`persona and transcript subscriptions (${kind}): a chat turn notifies, changes in a burst coalesce`, async (t) => {
    const { app, url } = await serve(t)
    const client = await connect(t, url, kind)
    t.match(client.getServerCapabilities()?.resources, { subscribe: true, listChanged: true })
    const heard = updates(client)
    await client.subscribeResource({ uri: 'persona://aria' })
    await client.subscribeResource({ uri: 'session://current/transcript/aria' })
    await client.subscribeResource({ uri: 'persona://kira' })

    await client.callTool({ name: 'persona_switch', arguments: { persona_id: 'aria' } })
    await client.callTool({ name: 'persona_chat', arguments: { message: 'How are you today?' } })
    t.ok(await until(() => heard.includes('persona://aria') && heard.includes('session://current/transcript/aria')), `state and transcript updated (${heard.join(', ')})`)
    await sleep(500)
    t.notOk(heard.includes('persona://kira'), 'Kira did not change: not a word about her')
    const read = await client.readResource({ uri: 'persona://aria' })
    const body = JSON.parse((read.contents[0] as { text: string }).text)
    t.match(body, { name: 'Aria' }, 'what was notified reads')
    t.match(body.relationship, { persona2_id: 'anonymous', interaction_count: 1 }, 'with her relationship to the caller, one chat old')

    // 25 state changes, 20 ms apart (half a second): a few notifications (300 ms windows), not 25
    heard.length = 0
    const aria = app.personas.get('aria')
    for (let i = 0; i < 25; i++) {
      await app.personas.setState(aria.id, (s) => ({ ...s, interactionFatigue: s.interactionFatigue + 1 }))
      await sleep(20)
    }
    await sleep(700)
    const forAria = heard.filter((uri) => uri === 'persona://aria').length
    t.ok(forAria >= 1 && forAria <= 4, `25 changes in ~0.5 s -> ${forAria} notifications`)

    // unsubscribed: silence; the session's end lets go of the bus
    heard.length = 0
    await client.unsubscribeResource({ uri: 'persona://aria' })
    await app.personas.setState(aria.id, (s) => ({ ...s, interactionFatigue: 0 }))
    await sleep(500)
    t.same(heard, [], 'no updates after unsubscribe')
    t.ok(app.events.size >= 1)
    // an HTTP session ends with its DELETE (client.close() alone leaves it to the idle timeout)
    if (kind === 'http') await (client.transport as StreamableHTTPClientTransport).terminateSession()
    await client.close()
    t.ok(await until(() => app.events.size === 0), 'subscriptions end with the session')
  })
}

t.test('conversation://{id}: its owner watches it unfold, another user cannot see or subscribe to it', async (t) => {
  // each turn takes 400 ms, so the run spans several coalescing windows
  const { url } = await serve(t, keys, { firstChunkDelayMs: 400 })
  const alice = await connect(t, url, 'websocket', {}, 'alice-key-1')
  const bob = await connect(t, url, 'http', {}, 'bob-key-1')
  const { resourceTemplates } = await alice.listResourceTemplates()
  t.ok(resourceTemplates.some((r) => r.uriTemplate === 'conversation://{conversation_id}'), 'listed as a template')

  const start = await alice.callTool({ name: 'conversation_start', arguments: { persona1_id: 'aria', persona2_id: 'kira', topic: 'old maps' } })
  const id = (start.structuredContent as { conversation_id: string }).conversation_id
  const uri = `conversation://${id}`
  const aliceHeard = updates(alice)
  const bobHeard = updates(bob)
  await alice.subscribeResource({ uri })
  await t.rejects(bob.subscribeResource({ uri }), { code: -32002 }, 'someone else\'s conversation is not found')
  await t.rejects(bob.readResource({ uri }), { code: -32002 })

  const turnsSeen: number[] = []
  alice.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => {
    aliceHeard.push(n.params.uri)
    const body = JSON.parse(((await alice.readResource({ uri: n.params.uri })).contents[0] as { text: string }).text) as { turns: unknown[] }
    turnsSeen.push(body.turns.length)
  })
  await alice.callTool({ name: 'conversation_run', arguments: { conversation_id: id, max_turns: 3 } })
  t.ok(aliceHeard.length >= 2, `updated while it ran, before the run returned (${aliceHeard.length})`)
  t.ok(await until(() => turnsSeen.length >= 2 && turnsSeen.at(-1) === 3), `each read saw the turns so far (${turnsSeen.join(', ')})`)
  const final = JSON.parse(((await alice.readResource({ uri })).contents[0] as { text: string }).text)
  t.match(final, { id, topic: 'old maps', participants: [{ name: 'Aria' }, { name: 'Kira' }], status: String })
  t.ok(final.turns.length >= 1 && final.turns[0].turn_number === 1, 'turns, numbered')
  await sleep(400)
  t.same(bobHeard, [], 'bob heard nothing of it')
})

t.test('subscribing to what does not exist is the spec\'s -32002; the per-session cap holds', async (t) => {
  const { url } = await serve(t, { mcp: { maxSubscriptionsPerSession: 2 } })
  const client = await connect(t, url, 'http')
  for (const uri of ['persona://nobody', 'session://current/transcript/nobody', 'conversation://no-such-id', 'conversation://%E0%A4%A', 'foo://bar']) {
    await t.rejects(client.subscribeResource({ uri }), { code: -32002 }, uri)
  }
  await client.subscribeResource({ uri: 'persona://aria' })
  await client.subscribeResource({ uri: 'persona://aria' })
  await client.subscribeResource({ uri: 'persona://kira' })
  await t.rejects(client.subscribeResource({ uri: 'memory://stats' }), { code: -32602, data: { reason: 'too_many_subscriptions' } })
})

t.test('a session whose record is missing (it could not be saved) still subscribes on its instance, within the cap', async (t) => {
  const { app, url } = await serve(t, { mcp: { maxSubscriptionsPerSession: 2 } })
  const client = await connect(t, url, 'http')
  const heard = updates(client)
  app.db.sqlite.prepare('DELETE FROM McpSession').run()
  await client.subscribeResource({ uri: 'persona://aria' })
  await client.subscribeResource({ uri: 'persona://kira' })
  await t.rejects(client.subscribeResource({ uri: 'memory://stats' }), { code: -32602, data: { reason: 'too_many_subscriptions' } }, 'the cap is this copy\'s then')
  await client.callTool({ name: 'persona_switch', arguments: { persona_id: 'aria' } })
  await client.callTool({ name: 'persona_chat', arguments: { message: 'Still listening?' } })
  t.ok(await until(() => heard.includes('persona://aria')), 'and its subscription is served')
})

t.test('a persona created or deleted: resources and prompts list_changed', async (t) => {
  const { url } = await serve(t)
  const client = await connect(t, url, 'websocket')
  const watcher = await connect(t, url, 'http')
  let resources = 0
  let prompts = 0
  watcher.setNotificationHandler(ResourceListChangedNotificationSchema, () => { resources++ })
  watcher.setNotificationHandler(PromptListChangedNotificationSchema, () => { prompts++ })
  const created = await client.callTool({ name: 'persona_create', arguments: { name: 'Nova', description: 'a new one' } })
  t.notOk(created.isError, JSON.stringify(created.content))
  t.ok(await until(() => resources === 1 && prompts === 1), 'created: both lists changed')
  const id = (created.structuredContent as { persona_id: string }).persona_id
  await client.callTool({ name: 'persona_delete', arguments: { persona_id: id, confirm: true } })
  t.ok(await until(() => resources === 2), 'deleted: changed again')
})

t.test('icons: each persona resource and roleplay prompt carries an SVG monogram', async (t) => {
  const { url } = await serve(t)
  const client = await connect(t, url, 'websocket')
  const { resources } = await client.listResources()
  const aria = resources.find((r) => r.uri === 'persona://' + r.uri.slice(10) && r.name === 'Aria')
  t.match(aria?.icons, [{ src: /^data:image\/svg\+xml;base64,/, mimeType: 'image/svg+xml', sizes: ['any'] }])
  const svg = Buffer.from(aria?.icons?.[0]?.src.split(',')[1] ?? '', 'base64').toString()
  t.match(svg, /<svg[^>]*>.*>A<\/text><\/svg>$/, 'the initial on a circle')
  const { prompts } = await client.listPrompts()
  t.ok(prompts.length >= 2 && prompts.every((p) => p.icons?.[0]?.mimeType === 'image/svg+xml'), 'every roleplay prompt has one')
})
