import { columns, describeError, type Palette } from './format.ts'
import type { RpcConnection } from './rpc.ts'
import { chatStream, type StreamHandle } from './stream.ts'
import * as views from './views.ts'

// What each REPL line does. The REPL owns the terminal; commands only print through the session.

export interface Session {
  /** replaced when the REPL reconnects */
  rpc: RpcConnection
  readonly c: Palette
  /** one line of output */
  print (line: string): void
  /** raw output, for streamed tokens */
  write (text: string): void
  /** the next line the user types (null once input has ended) */
  ask (question: string): Promise<string | null>
  persona?: { id: string, name: string }
  /** the chat stream under way, which /cancel and Ctrl-C stop */
  stream?: StreamHandle
  done: boolean
}

type Command = (s: Session, args: string) => Promise<void> | void

async function personaNames (s: Session): Promise<Map<string, string>> {
  const list = await s.rpc.call('persona.list')
  return new Map<string, string>(list.personas.map((p: any) => [p.id, p.name]))
}

const commands: Record<string, Command> = {
  help: (s) => columns(views.HELP.map(([cmd, what]) => [cmd, what])).forEach((line) => s.print(`  ${line}`)),
  quit: (s) => { s.done = true },
  exit: (s) => { s.done = true },
  list: async (s) => views.personaList(await s.rpc.call('persona.list'), s.persona?.id, s.c).forEach((l) => s.print(l)),
  switch: async (s, name) => {
    if (!name) return s.print('usage: switch <name>')
    const r = await s.rpc.call('persona.switch', { persona_id: name })
    s.persona = { id: r.persona_id, name: r.name }
    s.print(`now talking to ${s.c.cyan(r.name)} ${s.c.dim(`(energy ${r.social_energy}, ${r.available_time}s available, ${r.current_priority})`)}`)
  },
  memory: async (s, query) => {
    if (!query) return s.print('usage: memory <query>')
    views.memories(await s.rpc.call('memory.search', { query, n_results: 5 }), s.c).forEach((l) => s.print(l))
  },
  stats: async (s) => views.memoryStats(await s.rpc.call('memory.stats'), s.c).forEach((l) => s.print(l)),
  status: async (s) => {
    const sys = await s.rpc.call('system.status')
    const persona = s.persona ? await s.rpc.call('persona.status') : undefined
    views.systemStatus(sys, persona, s.c).forEach((l) => s.print(l))
  },
  relationships: async (s) => {
    const result = await s.rpc.call('relationship.list')
    views.relationships(result, await personaNames(s), s.c).forEach((l) => s.print(l))
  },
  history: async (s) => {
    const result = await s.rpc.call('conversation.history', { limit: 20 })
    views.history(result, s.persona?.name ?? 'persona', s.c).forEach((l) => s.print(l))
  },
  prune: async (s, args) => {
    const force = args === 'force'
    const { recommendations: r } = await s.rpc.call('memory.prune_recommendations')
    s.print(r.recommendation)
    if (!r.needs_pruning && !force) return
    const answer = await s.ask(`prune ${r.would_prune ?? 'the least important'} memories${force ? ' (force)' : ''}? [y/N] `)
    if (!/^y(es)?$/i.test(answer?.trim() ?? '')) return s.print('nothing pruned')
    const done = await s.rpc.call('memory.prune', { force })
    if (done.status !== 'pruning_completed') return s.print(done.message ?? done.status)
    s.print(`pruned ${done.memories_pruned} (${done.memories_before} -> ${done.memories_after}); undo with: call memory.restore {"prune_run_id":"${done.prune_run_id}"}`)
  },
  call: async (s, args) => {
    const [, method, json] = /^(\S+)\s*(.*)$/s.exec(args) ?? []
    if (!method) return s.print('usage: call <method> [json params]')
    let params: unknown
    try { params = json ? JSON.parse(json) : undefined } catch (err) { return s.print(s.c.red(`error: params are not JSON: ${(err as Error).message}`)) }
    s.print(JSON.stringify(await s.rpc.call(method, params), null, 2))
  },
  say: (s, text) => chat(s, text),
}

// commands that take no arguments run only when the line is exactly their name, so that
// chatting "list the songs you know" is still a chat
const withArgs = new Set(['switch', 'memory', 'call', 'say'])
const accepts = (name: string, rest: string) => withArgs.has(name) || rest === '' || (name === 'prune' && rest === 'force')

async function chat (s: Session, message: string): Promise<void> {
  if (!message) return
  let started = false
  // the label waits for the first token, so an error before the stream starts prints on its own line
  const handle = chatStream(s.rpc, { message }, (chunk) => {
    if (!started) s.write(s.c.cyan(`${s.persona?.name ?? 'persona'}: `))
    started = true
    s.write(chunk)
  })
  s.stream = handle
  try {
    const out = await handle.outcome
    if (started) s.write('\n')
    if (out.cancelled) s.print(s.c.dim('[cancelled]'))
    else if (out.result?.response_type === 'fallback') s.print(s.c.dim('(fallback reply: the LLM is unavailable)'))
  } catch (err) {
    if (started) s.write('\n')
    throw err
  } finally {
    s.stream = undefined
  }
}

/** Runs one input line; errors are printed, never thrown, so the REPL keeps going. */
export async function runLine (s: Session, line: string): Promise<void> {
  const text = line.trim()
  if (text === '') return
  if (text === '/cancel') return s.print(s.c.dim('nothing to cancel'))
  // a leading slash is allowed (/list, /switch kira), as in chat programs
  const [, word = '', rest = ''] = /^\/?(\S+)\s*(.*)$/s.exec(text) ?? []
  const name = word.toLowerCase()
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined
  try {
    if (command && accepts(name, rest.trim())) await command(s, rest.trim())
    else await chat(s, text)
  } catch (err) {
    s.print(s.c.red(describeError(err)))
    if ((err as { data?: any }).data?.reason === 'no_active_persona') s.print(s.c.dim('pick a persona first: list, then switch <name>'))
  }
}
