import t from 'tap'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js'
import { allTools } from './flow.ts'
import { connect, serve, text, type Kind } from './sdk-client.ts'

const names = async (client: Client) => ((await client.callTool({ name: 'persona_list', arguments: {} })).structuredContent as { personas: Array<{ name: string }> })
  .personas.map((p) => p.name)

/** A client that declared elicitation and answers every confirmation with `answer`; the questions are kept. */
async function asking (t: Parameters<typeof connect>[0], url: string, kind: Kind, answer: ElicitResult) {
  const client = await connect(t, url, kind, { capabilities: { elicitation: { form: {} } } })
  const asked: ElicitRequest['params'][] = []
  client.setRequestHandler(ElicitRequestSchema, (request) => { asked.push(request.params); return answer })
  return { client, asked }
}

t.test('without elicitation a destructive tool needs confirm: true, and does nothing without it', async (t) => {
  const { url } = await serve(t)
  const client = await connect(t, url)
  await client.callTool({ name: 'persona_create', arguments: { name: 'Zed' } })

  const refused = await client.callTool({ name: 'persona_delete', arguments: { persona_id: 'Zed' } })
  t.equal(refused.isError, true)
  t.match(text(refused), /pass "confirm": true/, 'the error names the argument')
  t.ok((await names(client)).includes('Zed'), 'nothing was deleted')
  t.match(text(await client.callTool({ name: 'persona_delete', arguments: { persona_id: 'Zed', confirm: false } })), /confirm/, 'false is no confirmation')

  const done = await client.callTool({ name: 'persona_delete', arguments: { persona_id: 'Zed', confirm: true } })
  t.notOk(done.isError, text(done))
  t.match(done.structuredContent, { name: 'Zed', deleted: true })
  t.notOk((await names(client)).includes('Zed'), 'gone after confirm: true')

  for (const name of ['conversation_clear', 'session_clear', 'memory_prune_all']) {
    t.match(text(await client.callTool({ name, arguments: {} })), /confirm/, `${name} asks too`)
  }
  await client.callTool({ name: 'persona_switch', arguments: { persona_id: 'aria' } })
  t.notOk((await client.callTool({ name: 'memory_prune', arguments: {} })).isError, 'memory_prune without force prunes only what is over the limit: no question')
  t.match(text(await client.callTool({ name: 'memory_prune', arguments: { force: true } })), /confirm/, 'with force it asks')
  t.notOk((await client.callTool({ name: 'session_clear', arguments: { confirm: true } })).isError)
})

for (const kind of ['websocket', 'http'] as const) {
  t.test(`with elicitation (${kind}) the user is asked: declined keeps the persona, accepted deletes it`, async (t) => {
    const { url } = await serve(t)
    const declining = await asking(t, url, kind, { action: 'decline' })
    await declining.client.callTool({ name: 'persona_create', arguments: { name: 'Zed' } })

    const declined = await declining.client.callTool({ name: 'persona_delete', arguments: { persona_id: 'Zed', confirm: true } })
    t.equal(declined.isError, true)
    t.match(text(declined), /not run: declined/)
    t.equal(declining.asked.length, 1, 'asked even though the model passed confirm: true: the user decides')
    t.match(declining.asked[0], { message: /persona_delete.*Zed/, requestedSchema: { properties: { confirm: { type: 'boolean' } } } })
    t.ok((await names(declining.client)).includes('Zed'), 'still there after decline')

    const unticked = await asking(t, url, kind, { action: 'accept', content: { confirm: false } })
    t.match(text(await unticked.client.callTool({ name: 'persona_delete', arguments: { persona_id: 'Zed' } })), /not confirmed/)
    t.ok((await names(unticked.client)).includes('Zed'), 'an accepted form that says no is no')

    const accepting = await asking(t, url, kind, { action: 'accept', content: { confirm: true } })
    const done = await accepting.client.callTool({ name: 'persona_delete', arguments: { persona_id: 'Zed' } })
    t.notOk(done.isError, text(done))
    t.equal(accepting.asked.length, 1)
    t.notOk((await names(accepting.client)).includes('Zed'), 'gone after accept')

    t.notOk((await accepting.client.callTool({ name: 'persona_list', arguments: {} })).isError)
    t.equal(accepting.asked.length, 1, 'what deletes nothing is not asked about')
  })
}

t.test('destructive tools say so and carry the confirm argument in their MCP schema only', async (t) => {
  const { app, url } = await serve(t)
  const { tools } = await allTools(await connect(t, url))
  const destructive = tools.filter((tool) => tool.annotations?.destructiveHint).map((tool) => tool.name).sort()
  t.same(destructive, ['conversation_clear', 'memory_delete', 'memory_prune', 'memory_prune_all', 'persona_delete', 'session_clear', 'user_erase'])
  for (const tool of tools) {
    t.equal('confirm' in (tool.inputSchema.properties ?? {}), destructive.includes(tool.name), `${tool.name}: confirm only where it asks`)
  }
  t.notOk('confirm' in (app.rpc.registry.get('persona.delete')!.params.properties), 'the JSON-RPC method has no such param')
})
