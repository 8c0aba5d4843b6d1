import { randomUUID } from 'node:crypto'
import { readOptions } from './args.ts'
import { colourEnabled, describeError, oneLine, palette } from './format.ts'
import { RpcConnection } from './rpc.ts'
import { chatStream } from './stream.ts'

// `npm run quick-test -- --url ws://HOST:8000/mcp [--api-key KEY] [--require-llm]`: drives a running
// server end to end, one line per step, exit 1 on any failure. With Ollama down the personas answer
// with fallback replies, which pass (the server is working as designed) unless --require-llm is given.

const STEP_TIMEOUT_MS = 120_000 // a real model on a CPU can take a while for the first reply
const USED = ['persona.list', 'persona.switch', 'persona.chat', 'persona.chat_stream', 'persona.chat_cancel', 'persona.status',
  'memory.store', 'memory.search', 'system.status', 'conversation.history']

function check (condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message)
}

async function main (): Promise<number> {
  let options: ReturnType<typeof readOptions>
  try { options = readOptions(process.argv.slice(2)) } catch (err) { console.error((err as Error).message); return 2 }
  if (options.help) {
    console.log('usage: npm run quick-test -- [--url ws://127.0.0.1:8000/mcp] [--api-key KEY] [--require-llm]')
    return 0
  }
  const c = palette(colourEnabled(process.stdout))
  console.log(`quick test against ${options.url}`)
  let rpc: RpcConnection
  try {
    rpc = await RpcConnection.connect(options.url, { apiKey: options.apiKey })
  } catch (err) {
    console.log(`${c.red('FAIL')} connect: ${describeError(err)}`)
    return 1
  }
  const replyNote = (result: any): string => {
    check(typeof result.response === 'string' && result.response.trim() !== '', 'empty reply')
    if (result.response_type !== 'fallback') return `"${oneLine(result.response, 60)}"`
    check(!options.requireLlm, `fallback reply (the LLM is unavailable) and --require-llm was given: "${oneLine(result.response, 60)}"`)
    return `fallback reply (LLM unavailable): "${oneLine(result.response, 50)}"`
  }
  const ids: Record<string, string> = {}
  const marker = `quick-test ${randomUUID().slice(0, 8)}`
  const steps: Array<[string, () => Promise<string>]> = [
    ['rpc.discover', async () => {
      const doc = await rpc.call('rpc.discover')
      const names = new Set<string>(doc.methods.map((m: any) => m.name))
      const missing = USED.filter((m) => !names.has(m))
      check(missing.length === 0, `methods missing: ${missing.join(', ')}`)
      return `${names.size} methods`
    }],
    ['persona.list', async () => {
      const list = await rpc.call('persona.list')
      for (const p of list.personas) ids[p.name.toLowerCase()] = p.id
      check(ids.aria && ids.kira, `Aria and Kira expected, got ${list.personas.map((p: any) => p.name).join(', ')}`)
      return `${list.total_count} personas, ${list.available_count} available`
    }],
    ['persona.switch aria', async () => {
      const r = await rpc.call('persona.switch', { persona_id: 'aria' })
      check(r.name === 'Aria', `switched to ${r.name}`)
      return `energy ${r.social_energy}`
    }],
    ['persona.chat', async () => replyNote(await rpc.call('persona.chat', { message: 'Hello Aria! What song are you working on?' }))],
    ['persona.chat_stream', async () => {
      const out = await chatStream(rpc, { message: 'Tell me a very short story about a lute.' }).outcome
      check(!out.cancelled && out.result, 'the stream was cancelled')
      check(out.events[0] === 'stream_start' && out.events.at(-1) === 'stream_complete', `events ${out.events.join(',')}`)
      check(out.chunks.length >= 1 && out.chunks.length === out.result.chunk_count, `${out.chunks.length} chunks seen, chunk_count ${out.result.chunk_count}`)
      check(out.chunks.join('') === out.result.response, 'the chunks do not add up to the final response')
      return `${out.chunks.length} chunks, ${replyNote(out.result)}`
    }],
    ['persona.switch kira', async () => {
      const r = await rpc.call('persona.switch', { persona_id: 'Kira' })
      check(r.name === 'Kira', `switched to ${r.name}`)
      return `energy ${r.social_energy}`
    }],
    ['persona.chat kira', async () => replyNote(await rpc.call('persona.chat', { message: 'Kira, what are you studying today?' }))],
    ['persona.status', async () => {
      const r = await rpc.call('persona.status')
      check(r.persona?.name === 'Kira', `status of ${r.persona?.name}`)
      return `available ${r.interaction_state.is_available}, energy ${r.interaction_state.social_energy}, ${r.memory_stats.total_memories} memories`
    }],
    ['memory.store + memory.search', async () => {
      const stored = await rpc.call('memory.store', { content: `${marker}: the user keeps a copper astrolabe on the windowsill`, importance: 0.8 })
      check(stored.stored === true, 'not stored')
      const found = await rpc.call('memory.search', { query: 'copper astrolabe windowsill', n_results: 10 })
      check(found.memories.some((m: any) => m.id === stored.memory_id), `stored memory not found among ${found.result_count} results`)
      return `found among ${found.result_count} results`
    }],
    ['system.status', async () => {
      const r = await rpc.call('system.status')
      check(r.system_status === 'operational', `system_status ${r.system_status}`)
      return `version ${r.version}, llm ${r.llm_available ? 'available' : 'unavailable'}, ${r.total_personas} personas`
    }],
    ['conversation.history', async () => {
      const r = await rpc.call('conversation.history', { limit: 10 })
      const roles = r.messages.map((m: any) => m.role)
      check(roles.includes('user') && roles.includes('persona'), `messages ${roles.join(',') || 'none'}`)
      check(r.messages.some((m: any) => m.content.includes('what are you studying')), 'the chat with Kira is not in the history')
      return `${r.messages.length} messages, ${r.total_turns} turns`
    }],
  ]
  let failed = 0
  for (const [index, [name, run]] of steps.entries()) {
    const started = performance.now()
    try {
      const detail = await Promise.race([run(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${STEP_TIMEOUT_MS / 1000}s`)), STEP_TIMEOUT_MS).unref())])
      console.log(`${c.green('ok  ')} ${String(index + 1).padStart(2)} ${name} ${c.dim(`(${Math.round(performance.now() - started)} ms)`)} ${detail}`)
    } catch (err) {
      failed++
      console.log(`${c.red('FAIL')} ${String(index + 1).padStart(2)} ${name}: ${describeError(err)}`)
    }
  }
  await rpc.close()
  console.log(failed === 0 ? c.green(`quick test passed: ${steps.length} steps`) : c.red(`quick test failed: ${failed} of ${steps.length} steps`))
  return failed === 0 ? 0 : 1
}

process.exitCode = await main()
