import t from 'tap'
import { startOllamaFixture } from '../fixtures/ollama-server.ts'
import { runClient, startServer } from './server.ts'

// `npm run quick-test` against real server processes. Decision: with Ollama down the server still
// works (fallback replies, visible in system.status), so the quick test passes and says so; a
// deployment that must have the LLM runs it with --require-llm, which then fails.

// each subtest starts a whole server process (5-10 s on a busy machine): allow more than the configured 120 s
t.setTimeout(240_000)

const STEPS = 11

t.test('passes against a server whose personas answer through Ollama', async (t) => {
  const ollama = await startOllamaFixture()
  t.teardown(() => ollama.close())
  const server = await startServer(t, { OLLAMA_HOST: ollama.url })
  const run = await runClient('quick-test.ts', ['--url', server.url, '--require-llm'])
  t.equal(run.code, 0, 'exits 0', { output: run.stdout + run.stderr, server: server.problems() })
  t.equal(run.stdout.match(/^ok +\d+ /gm)?.length, STEPS, 'one ok line per step')
  t.notMatch(run.stdout, /FAIL|fallback/)
  t.match(run.stdout, /persona\.chat_stream \(\d+ ms\) \d+ chunks/)
  t.match(run.stdout, /quick test passed: 11 steps/)
  t.notMatch(run.stdout, /\x1b\[/, 'no colour codes when stdout is a pipe')
  t.ok(ollama.requests.some((r) => r.path === '/api/chat' && r.body.stream !== false), 'the stream step streamed from Ollama')
})

t.test('with Ollama down: passes on fallback replies, fails with --require-llm', async (t) => {
  const server = await startServer(t, { OLLAMA_HOST: 'http://127.0.0.1:9' })
  const lenient = await runClient('quick-test.ts', ['--url', server.url])
  t.equal(lenient.code, 0, 'exits 0', { output: lenient.stdout + lenient.stderr, server: server.problems() })
  t.match(lenient.stdout, /persona\.chat .*fallback reply \(LLM unavailable\)/)
  t.match(lenient.stdout, /system\.status .*llm unavailable/)

  const strict = await runClient('quick-test.ts', ['--url', server.url, '--require-llm'])
  t.equal(strict.code, 1, 'exits 1', { output: strict.stdout })
  t.match(strict.stdout, /FAIL +4 persona\.chat: error: fallback reply \(the LLM is unavailable\) and --require-llm was given/)
  t.match(strict.stdout, /quick test failed: \d+ of 11 steps/)
})

t.test('fails clearly when no server answers', async (t) => {
  const run = await runClient('quick-test.ts', ['--url', 'ws://127.0.0.1:9/mcp'])
  t.equal(run.code, 1)
  t.match(run.stdout, /FAIL connect: error: cannot connect to ws:\/\/127\.0\.0\.1:9\/mcp/)
})

t.test('rejects unknown options with exit code 2', async (t) => {
  const run = await runClient('quick-test.ts', ['--nope'])
  t.equal(run.code, 2)
  t.match(run.stderr, /nope/)
})
