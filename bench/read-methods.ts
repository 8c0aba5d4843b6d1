import type WebSocket from 'ws'
import { startOllamaFixture } from '../test/fixtures/ollama-server.ts'
import { connect, fmt, roundTrips, rpc, startServer, type LoopResult } from './lib.ts'

// The read methods people call most, each looped on 1 and on 100 sockets against the server as deployed
// (its own process, compiled), beside `ping` measured on the same sockets in the same run: the ratio is what
// reading a persona, a session, a transcript, memory statistics or a relationship costs beyond the protocol.
// Every socket has its own session with 10 chat turns (20 messages) with one persona, so
// conversation.history reads a real 20-message page and memory.stats counts the memories those turns left.

const SECONDS = Number(process.argv[2] ?? 5)
const CONNECTIONS = (process.argv[3] ?? '1,100').split(',').map(Number)
const TURNS = 10

const fixture = await startOllamaFixture({ models: ['llama3.1:8b'], reply: () => 'The tavern hums with songs tonight, friend, and I have a new one for you.' })
const server = await startServer({ OLLAMA_HOST: fixture.url })
const sockets = await connect(server.url, Math.max(...CONNECTIONS))

// a persona with time to talk to every socket; a second one for relationship.get
const [first] = sockets as [WebSocket]
const bencher = await rpc(first, 'persona.create', { name: 'Bencher', description: 'A patient bard.', available_time: 86400, social_energy: 200 })
const friend = await rpc(first, 'persona.create', { name: 'Friend', description: 'A listener.' })
const [bencherId, friendId]: string[] = [bencher.persona_id, friend.persona_id]
await rpc(first, 'relationship.update', { persona1_id: bencherId, persona2_id: friendId, interaction_quality: 0.6, duration_minutes: 10, context: 'casual' })
const setupStarted = performance.now()
for (const socket of sockets) await rpc(socket, 'persona.switch', { persona_id: bencherId })
// two sessions at a time: the server lets two replies be written at once and queues only a few more
for (let s = 0; s < sockets.length; s += 2) {
  await Promise.all(sockets.slice(s, s + 2).map(async (socket, i) => {
    for (let turn = 0; turn < TURNS; turn++) await rpc(socket, 'persona.chat', { message: `Socket ${s + i} asks for song number ${turn}` })
  }))
}
const setupSeconds = (performance.now() - setupStarted) / 1000
const history = await rpc(first, 'conversation.history', { limit: 20 })
const stats = await rpc(first, 'memory.stats', {})
if (history.messages.length !== 2 * TURNS) throw new Error(`conversation.history returned ${history.messages.length} messages, not ${2 * TURNS}`)

let id = 0
const frame = (method: string, params?: unknown) => () => JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params })
const METHODS: Array<[string, () => string]> = [
  ['persona.status', frame('persona.status', {})],
  ['persona.get', frame('persona.get', { persona_id: bencherId })],
  ['session.get_info', frame('session.get_info', {})],
  ['conversation.history (20 messages)', frame('conversation.history', { limit: 20 })],
  ['memory.stats', frame('memory.stats', {})],
  ['relationship.get', frame('relationship.get', { persona1_id: bencherId, persona2_id: friendId })],
]

const row = (name: string, r: LoopResult, ping?: number) =>
  `| ${name} | ${fmt(r.perSecond, 0)} | ${fmt(r.p50, 3)} | ${fmt(r.p99, 3)} | ${ping === undefined ? '1.00x' : `**${fmt(r.perSecond / ping)}x**`} |${r.errors > 0 ? ` ${r.errors} errors |` : ''}`
const lines = [
  `> Setup: ${sockets.length} sessions × ${TURNS} chat turns in ${fmt(setupSeconds, 1)} s; ${stats.total_memories} memories on the persona.`, '',
  '| method, sockets | calls/s | p50 ms | p99 ms | vs ping |', '|---|---|---|---|---|',
]
for (const n of CONNECTIONS) {
  const group = sockets.slice(0, n)
  // ping before and after the methods: the baseline is their mean, so drift during the run shows
  const pings: LoopResult[] = []
  const measure = async (message: () => string) => {
    await roundTrips(group, message, 1) // warm-up
    return roundTrips(group, message, SECONDS)
  }
  pings.push(await measure(frame('ping')))
  const results: Array<[string, LoopResult]> = []
  for (const [name, message] of METHODS) results.push([name, await measure(message)])
  pings.push(await measure(frame('ping')))
  const ping = (pings[0]!.perSecond + pings[1]!.perSecond) / 2
  lines.push(...pings.map((p, i) => row(`ping (${i === 0 ? 'before' : 'after'}), ${n}`, p)))
  for (const [name, r] of results) lines.push(row(`${name}, ${n}`, r, ping))
}
process.stdout.write(`${lines.join('\n')}\n`)
for (const socket of sockets) socket.terminate()
server.child.kill('SIGTERM')
await fixture.close()
