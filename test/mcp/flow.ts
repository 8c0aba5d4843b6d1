import type { Test } from 'tap'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { Tool } from '@modelcontextprotocol/sdk/types.js'

// The walk every MCP transport must pass with the SDK's own clients (HTTP, WebSocket and stdio tests share it).

export async function allTools (client: Client): Promise<{ tools: Tool[], pages: number }> {
  const tools: Tool[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor })
    tools.push(...page.tools)
    cursor = page.nextCursor
    pages++
  } while (cursor !== undefined)
  return { tools, pages }
}

const text = (result: Record<string, unknown>) => ((result.content as Array<{ type: string, text?: string }> | undefined)?.[0]?.text ?? '')

/** `registryNames`: every method the server has; `first` and `second` are two sessions of the same user. */
export async function exercise (t: Test, first: Client, second: Client, registryNames: string[]) {
  t.equal(first.getServerVersion()?.name, 'persona-mcp')
  t.ok(first.getServerCapabilities()?.tools && first.getServerCapabilities()?.resources && first.getServerCapabilities()?.prompts)

  const { tools } = await allTools(first)
  const expected = registryNames.filter((n) => !['events.subscribe', 'events.unsubscribe'].includes(n)).map((n) => n.replaceAll('.', '_')).sort()
  t.same(tools.map((tool) => tool.name).sort(), expected, 'every method but events.(un)subscribe is a tool')
  const byName = new Map(tools.map((tool) => [tool.name, tool]))
  t.equal(byName.get('persona_list')?.annotations?.readOnlyHint, true, 'queries are read-only')
  t.equal(byName.get('persona_switch')?.annotations?.readOnlyHint, false)
  t.same(byName.get('persona_chat')?.inputSchema.required, ['message'], 'defaulted params are optional')
  t.ok(byName.get('persona_chat')?.outputSchema, 'results declare an outputSchema')

  const list = await first.callTool({ name: 'persona_list', arguments: {} })
  const personas = (list.structuredContent as { personas: Array<{ id: string, name: string }> }).personas
  t.same(personas.map((p) => p.name).sort(), ['Aria', 'Kira'])
  t.match(JSON.parse(text(list)), { total_count: 2 }, 'the same result as JSON text')
  const aria = personas.find((p) => p.name === 'Aria')!

  const switched = await first.callTool({ name: 'persona_switch', arguments: { persona_id: 'aria' } })
  t.match(switched.structuredContent, { persona_id: aria.id, status: 'active' })

  const progress: Array<{ progress: number, message?: string }> = []
  const chat = await first.callTool({ name: 'persona_chat', arguments: { message: 'Sing me a song about rivers' } }, undefined, {
    onprogress: (p) => { progress.push(p) },
  })
  t.notOk(chat.isError)
  t.match(chat.structuredContent, { persona_id: aria.id, turn_number: 1, response: /Sing me a song/ })
  t.notOk(Object.hasOwn(chat.structuredContent ?? {}, 'stream_id'), 'persona_chat keeps its own result shape when it streams')
  t.ok(progress.length > 1, `progress while tokens stream (${progress.length} notifications)`)
  t.same(progress.map((p) => p.progress), progress.map((_p, i) => i + 1), 'progress increases')
  t.equal(progress.map((p) => p.message).join(''), (chat.structuredContent as { response: string }).response, 'the chunks make the reply')

  const resource = await first.readResource({ uri: `persona://${aria.id}` })
  const body = JSON.parse(String((resource.contents[0] as { text: string }).text))
  t.match(body, { id: aria.id, name: 'Aria', interaction_state: { is_available: Boolean }, emotional_state: { mood: Number } })
  const transcript = await first.readResource({ uri: `session://current/transcript/${aria.id}` })
  t.equal(JSON.parse(String((transcript.contents[0] as { text: string }).text)).messages.length, 2, 'the session transcript')
  await t.rejects(first.readResource({ uri: 'persona://nobody' }), { code: -32002 }, 'unknown persona: resource not found')

  const prompts = await first.listPrompts()
  t.same(prompts.prompts.map((p) => p.name).sort(), ['roleplay_aria', 'roleplay_kira'])
  const prompt = await first.getPrompt({ name: 'roleplay_aria', arguments: { topic: 'rivers' } })
  const promptText = (prompt.messages[0]?.content as { text: string }).text
  t.match(promptText, /You are Aria/)
  t.match(promptText, /Let's talk about rivers/)

  const bad = await first.callTool({ name: 'persona_switch', arguments: {} })
  t.equal(bad.isError, true, 'missing argument: isError result')
  t.match(text(bad), /persona_id/)
  const wrongType = await first.callTool({ name: 'persona_chat', arguments: { message: 42 } })
  t.equal(wrongType.isError, true)
  t.match(text(wrongType), /Invalid params/)
  const nobody = await first.callTool({ name: 'persona_switch', arguments: { persona_id: 'nobody' } })
  t.match({ isError: nobody.isError, text: text(nobody) }, { isError: true, text: /Persona not found: nobody/ })

  const other = await second.callTool({ name: 'session_get_info', arguments: {} })
  t.equal((other.structuredContent as { current_persona: unknown }).current_persona, null, 'a second session has no persona yet')
  const refused = await second.callTool({ name: 'persona_chat', arguments: { message: 'hello?' } })
  t.match({ isError: refused.isError, text: text(refused) }, { isError: true, text: /No persona selected/ })
  const mine = await first.callTool({ name: 'session_get_info', arguments: {} })
  t.match(mine.structuredContent, { current_persona: { name: 'Aria' } }, 'while the first keeps its own')
}
