import { randomBytes } from 'node:crypto'
import t, { type Test } from 'tap'
import { PNG } from 'pngjs'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { build, listen } from '../helper.ts'
import { connect as mcpConnect } from '../mcp/sdk-client.ts'
import { RpcClient } from '../helpers/rpc-client.ts'
import { charxZip, pixelsOf, smallPng, v3Card } from './helpers.ts'

// A CHARX file (V3 spec: card.json plus the avatar as an `embeded://` asset) from import to conversation:
// the greeting opens the conversation, the lorebook answers its keys, the avatar is served and is the
// persona's MCP icon.

const KEYS = [
  { user: 'ops', key: 'ops-admin-key', scope: 'admin' },
  { user: 'alice', key: 'alice-key-1', scope: 'client' },
]

/** a PNG of noise: it does not compress, so it is larger than an icon may be inlined */
function noisyPng (side: number): Buffer {
  const png = new PNG({ width: side, height: side })
  randomBytes(png.data.length).copy(png.data)
  return PNG.sync.write(png)
}

async function setup (t: Test) {
  const fixture = await startOllamaFixture()
  t.teardown(() => fixture.close())
  const app = await build(t, { auth: { apiKeys: KEYS }, ollama: { host: fixture.url } })
  const url = await listen(app)
  const connect = async (key: string) => {
    const client = await RpcClient.connect(url, { headers: { authorization: `Bearer ${key}` } })
    t.teardown(() => client.terminate())
    return client
  }
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return { app, fixture, url, connect, base: `http://127.0.0.1:${address.port}` }
}

t.test('a CHARX card over persona.import_card: greeting first, lore on its keys, avatar served and used as MCP icon', async (t) => {
  const { fixture, url, connect, base } = await setup(t)
  const alice = await connect('alice-key-1')
  const icon = smallPng(8, 8)
  const card = v3Card()
  card.data.first_mes = '*{{char}} looks up from the map.* Welcome, {{user}}.'
  card.data.alternate_greetings = ['{{char}} waves from the tower.']
  const charx = charxZip(card, { 'assets/icon/images/main.png': icon })

  const imported = await alice.call('persona.import_card', { card: charx.toString('base64') })
  t.match(imported, { name: 'Nyx', format: 'charx', has_avatar: true, lore_memories: 2 })
  const greetings = ['*Nyx looks up from the map.* Welcome, you.', 'Nyx waves from the tower.']

  await alice.call('persona.switch', { persona_id: 'Nyx' })
  await alice.call('persona.chat', { message: 'Is there a dragon in the cave?' })
  const history = await alice.call('conversation.history', {})
  t.equal(history.messages.length, 3, 'the greeting, then the turn')
  const [opening, asked, answer] = history.messages
  t.match(opening, { role: 'persona', turn_number: 0, response_type: 'greeting' })
  t.ok(greetings.includes(opening.content), `a card greeting, macros filled in: ${opening.content}`)
  t.match(asked, { role: 'user', turn_number: 1, content: 'Is there a dragon in the cave?' })
  t.equal(answer.role, 'persona')

  // the model saw the greeting as the persona's first message, and the selective entry (dragon + cave)
  const chat = fixture.requests.filter((r) => r.path === '/api/chat').at(-1)!.body
  const turns = chat.messages.slice(1)
  t.same(turns.map((m: any) => m.role), ['assistant', 'user'], 'greeting, then the user')
  t.equal(turns[0].content, opening.content)
  // (recall by relevance may bring any lore memory; the lorebook's own section holds only entries whose keys are in)
  const lore = /World knowledge that matters now[^\n]*\n((?:- .*\n?)+)/.exec(chat.messages[0].content)?.[1] ?? ''
  t.match(lore, /The dragon sleeps in the cave\./, 'the lorebook entry activated')
  t.notMatch(lore, /Brindle is a river town/, 'an entry whose key is absent did not')

  // the second turn does not greet again; a new conversation (another session) greets again
  await alice.call('persona.chat', { message: 'Thanks' })
  t.equal((await alice.call('conversation.history', {})).messages.filter((m: any) => m.response_type === 'greeting').length, 1)
  const other = await connect('alice-key-1')
  await other.call('persona.switch', { persona_id: 'Nyx' })
  await other.call('persona.chat', { message: 'Hello' })
  const fresh = (await other.call('conversation.history', {})).messages
  t.ok(greetings.includes(fresh[0].content) && fresh[0].turn_number === 0, 'a new conversation opens with a greeting')
  // a persona without a card has no opening line
  await other.call('persona.switch', { persona_id: 'aria' })
  await other.call('persona.chat', { message: 'Hello' })
  t.equal((await other.call('conversation.history', {})).messages[0].role, 'user')

  const avatar = await fetch(`${base}/admin/v1/personas/${imported.persona_id}/avatar`, { headers: { authorization: 'Bearer alice-key-1' } })
  t.equal(avatar.status, 200)
  t.equal(avatar.headers.get('content-type'), 'image/png')
  t.same(Buffer.from(await avatar.arrayBuffer()), icon, 'the CHARX asset, byte for byte')

  // MCP (official SDK client over Streamable HTTP): the avatar is the first icon of the resource and the prompt
  const mcp = await mcpConnect(t, url, 'http', {}, 'alice-key-1')
  const dataUri = `data:image/png;base64,${icon.toString('base64')}`
  const resource = (await mcp.listResources()).resources.find((r) => r.uri === `persona://${imported.persona_id}`)
  t.same(resource?.icons?.[0], { src: dataUri, mimeType: 'image/png' }, 'resources/list carries the card avatar')
  t.equal(resource?.icons?.[1]?.mimeType, 'image/svg+xml', 'and the monogram after it')
  const prompt = (await mcp.listPrompts()).prompts.find((p) => p.name === 'roleplay_nyx')
  t.same(prompt?.icons?.[0], { src: dataUri, mimeType: 'image/png' }, 'prompts/list too')
  const aria = (await mcp.listResources()).resources.find((r) => r.name === 'Aria')
  t.same(aria?.icons?.map((i) => i.mimeType), ['image/svg+xml'], 'a persona without a card: the monogram only')
})

t.test('an avatar too large to inline leaves the MCP icon to the monogram; the route still serves it', async (t) => {
  const { url, connect, base } = await setup(t)
  const alice = await connect('alice-key-1')
  const big = noisyPng(160)
  t.ok(big.length > 64 * 1024, `${big.length} bytes`)
  const card = v3Card()
  card.data.name = 'Vasta'
  const { persona_id } = await alice.call('persona.import_card', { card: charxZip(card, { 'assets/icon/images/main.png': big }).toString('base64') })
  const mcp = await mcpConnect(t, url, 'http', {}, 'alice-key-1')
  const resource = (await mcp.listResources()).resources.find((r) => r.uri === `persona://${persona_id}`)
  t.same(resource?.icons?.map((i) => i.mimeType), ['image/svg+xml'])
  const avatar = await fetch(`${base}/admin/v1/personas/${persona_id}/avatar`, { headers: { authorization: 'Bearer alice-key-1' } })
  t.same(pixelsOf(Buffer.from(await avatar.arrayBuffer())), pixelsOf(big))
})
