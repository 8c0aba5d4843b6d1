import t from 'tap'
import { node22Tool } from './node22-tool.ts'
import { connect, serve } from './sdk-client.ts'

// The official MCP Inspector in CLI mode (2.x, Node 22: both live in conformance/, apart from the server)
// against the running server over Streamable HTTP. Its one-shot CLI has no completion/complete method,
// so the argument completion is checked with the SDK client on the same server.

const inspector = node22Tool('the MCP Inspector', '@modelcontextprotocol/inspector/clients/launcher/build/index.js')

if (inspector) {
  t.test('the MCP Inspector CLI lists and calls tools, reads a resource and gets a prompt', async (t) => {
    const { url: wsUrl } = await serve(t)
    const url = wsUrl.replace(/^ws:/, 'http:')
    const cli = async (...args: string[]) => {
      const { stdout } = await inspector(['--cli', url, '--transport', 'http', '--format', 'json', '-q', ...args], 30_000)
      return (JSON.parse(stdout) as { result: Record<string, any> }).result
    }

    const listed = await cli('--method', 'tools/list')
    const names = (listed.tools as Array<{ name: string }>).map((tool) => tool.name)
    t.ok(names.includes('persona_list') && names.includes('persona_chat'), `${names.length} tools`)
    t.same(names, [...names].sort(), 'in a stable order')

    const called = await cli('--method', 'tools/call', '--tool-name', 'persona_list')
    t.notOk(called.isError)
    t.match(called.structuredContent, { total_count: 2 })

    const read = await cli('--method', 'resources/read', '--uri', 'persona://aria')
    t.match(JSON.parse(read.contents[0].text), { name: 'Aria' })

    const prompt = await cli('--method', 'prompts/get', '--prompt-name', 'roleplay_aria', '--prompt-args', 'topic=old maps')
    t.match(prompt.messages[0].content.text, /Aria[\s\S]*old maps/)

    const client = await connect(t, wsUrl, 'http')
    const completed = await client.complete({ ref: { type: 'ref/resource', uri: 'persona://{persona_id}' }, argument: { name: 'persona_id', value: 'Ar' } })
    t.ok(completed.completion.values.some((v) => v.toLowerCase().startsWith('ar')), `completion: ${completed.completion.values.join(', ')}`)
  })
}
