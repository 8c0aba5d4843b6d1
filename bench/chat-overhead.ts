import { Ollama } from 'ollama'
import { startOllamaFixture } from '../test/fixtures/ollama-server.ts'
import { RpcClient } from '../test/helpers/rpc-client.ts'
import { fmt, percentile, startServer } from './lib.ts'

// The server's own cost of a chat turn: persona.chat round trips against the fixture LLM (the Ollama wire
// format), beside the same model call made directly with the ollama client (the time the turn spends on the
// LLM). Also the time to the first streamed token, through the server and directly. The server runs as
// deployed (its own process, compiled); the fixture and both clients share this process, alike for both paths.

const TURNS = Number(process.argv[2] ?? 1000)
// the fixture offers no embedding model, so memories use the in-process hashing embedder and its cost
// counts as the server's; with an Ollama embedding model each turn also waits on two embed calls
const fixture = await startOllamaFixture({ models: ['llama3.1:8b'], reply: () => 'The tavern hums with songs tonight, friend, and I have a new one for you.' })
const server = await startServer({ OLLAMA_HOST: fixture.url })
const client = await RpcClient.connect(server.url)
// a persona with time to talk for the whole run (a built-in would tire after a few dozen turns)
await client.call('persona.create', { name: 'Bencher', description: 'A patient bard.', available_time: 86400, social_energy: 200 })
await client.call('persona.switch', { persona_id: 'Bencher' })

const ollama = new Ollama({ host: fixture.url })
const direct = (stream: boolean) => ollama.chat({ model: 'llama3.1:8b', messages: [{ role: 'system', content: 'You are a bard.' }, { role: 'user', content: 'Sing' }], stream: stream as false, options: { num_predict: 500 } })

const chat: number[] = []
const llm: number[] = []
const ttftServer: number[] = []
const ttftDirect: number[] = []
for (let i = 0; i < TURNS; i++) {
  let t0 = performance.now()
  await direct(false)
  llm.push(performance.now() - t0)
  t0 = performance.now()
  await client.call('persona.chat', { message: `Tell me about song number ${i}` })
  chat.push(performance.now() - t0)
  if (i % 10 === 0) {
    t0 = performance.now()
    const stream = await ollama.chat({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'Sing' }], stream: true })
    for await (const _part of stream) { ttftDirect.push(performance.now() - t0); stream.abort(); break }
    const seen = client.notifications.length
    t0 = performance.now()
    const done = client.request('persona.chat_stream', { message: `Stream song ${i}` })
    await client.notification((n) => client.notifications.indexOf(n) >= seen && n.params?.event_type === 'stream_chunk')
    ttftServer.push(performance.now() - t0)
    await done
    client.notifications.length = 0
  }
}
for (const list of [chat, llm, ttftServer, ttftDirect]) list.sort((a, b) => a - b)
const p = (list: number[], q: number) => percentile(list, q)
process.stdout.write([
  `| ${TURNS} chat turns | p50 ms | p99 ms |`, '|---|---|---|',
  `| direct model call (baseline) | ${fmt(p(llm, 50), 3)} | ${fmt(p(llm, 99), 3)} |`,
  `| persona.chat through the server | ${fmt(p(chat, 50), 3)} | ${fmt(p(chat, 99), 3)} |`,
  `| server overhead (difference) | **${fmt(p(chat, 50) - p(llm, 50), 3)}** | **${fmt(p(chat, 99) - p(llm, 99), 3)}** |`,
  `| first token, direct stream (baseline) | ${fmt(p(ttftDirect, 50), 3)} | ${fmt(p(ttftDirect, 99), 3)} |`,
  `| first token through persona.chat_stream | ${fmt(p(ttftServer, 50), 3)} | ${fmt(p(ttftServer, 99), 3)} |`,
  `| extra time to first token | **${fmt(p(ttftServer, 50) - p(ttftDirect, 50), 3)}** | **${fmt(p(ttftServer, 99) - p(ttftDirect, 99), 3)}** |`,
].join('\n') + '\n')
client.terminate()
server.child.kill('SIGTERM')
await new Promise((resolve) => server.child.once('exit', resolve))
await fixture.close()
