import t from 'tap'
import { build, listen } from '../helper.ts'
import { node22Tool } from './node22-tool.ts'

// The official MCP conformance suite (@modelcontextprotocol/conformance, Node 22: it lives in conformance/,
// apart from the server) against the real server over Streamable HTTP, on loopback with no keys, as
// `npm start` serves. Each scenario prints "Passed: N/M"; all N of M must pass.

/** The scenarios that test the protocol itself (the others call the suite's own fixture tools). */
const SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'prompts-list',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
  'logging-set-level',
  'completion-complete',
]

const suite = node22Tool('the MCP conformance suite', '@modelcontextprotocol/conformance/dist/index.js')

if (suite) {
  t.test('the official MCP conformance suite passes its protocol scenarios', async (t) => {
    const app = await build(t)
    const url = (await listen(app)).replace(/^ws:/, 'http:')
    const scenario = async (name: string) => {
      const { stdout, stderr } = await suite(['server', '--url', url, '--scenario', name], 60_000)
        .catch((err: { stdout?: string, stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? String(err) }))
      const text = `${stdout}\n${stderr}`.replace(/\x1b\[[0-9;]*m/g, '') // eslint-disable-line no-control-regex
      const [, passed, total] = /Passed: (\d+)\/(\d+)/.exec(text) ?? []
      return { passed: Number(passed ?? 0), total: Number(total ?? -1), text }
    }
    for (const name of SCENARIOS) {
      await t.test(name, async (t) => {
        const { passed, total, text } = await scenario(name)
        t.ok(total > 0 && passed === total, `Passed: ${passed}/${total}`, total > 0 && passed === total ? {} : { output: text.slice(-3000) })
      })
    }
  })
}
