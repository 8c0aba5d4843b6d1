import { columns, fixed, oneLine, type Palette } from './format.ts'

// How each command's result reads on a terminal: plain functions from a result to lines.

export function personaList (result: any, currentId: string | undefined, c: Palette): string[] {
  const rows = (result.personas ?? []).map((p: any) => [
    p.id === currentId ? '*' : ' ',
    p.name,
    p.available ? 'available' : 'resting',
    `energy ${p.social_energy}`,
    String(p.current_priority ?? ''),
    p.cooldown_remaining > 0 ? `cooldown ${Math.ceil(p.cooldown_remaining)}s` : '',
  ])
  const lines = columns(rows).map((line, i) => (result.personas[i].available ? line : c.dim(line)))
  return [...lines, c.dim(`${result.available_count} of ${result.total_count} available`)]
}

export function memories (result: any, c: Palette): string[] {
  if (!result.memories?.length) return [c.dim(`no memories match "${result.query}"`)]
  return result.memories.map((m: any, i: number) => {
    const meta = `importance ${fixed(m.importance)}${typeof m.similarity === 'number' ? `, similarity ${fixed(m.similarity)}` : ''}, ${m.memory_type}`
    return `${c.bold(`${i + 1}.`)} ${oneLine(m.content, 90)}\n   ${c.dim(meta)}`
  })
}

export function memoryStats (result: any, c: Palette): string[] {
  if (!result.total_memories) return [c.dim('no memories yet')]
  const types = Object.entries(result.memory_types ?? {}).map(([type, n]) => `${type} ${n}`).join(', ')
  return columns([
    ['memories', String(result.total_memories)],
    ['average importance', fixed(result.avg_importance)],
    ['high importance (>= 0.7)', String(result.high_importance_count ?? 0)],
    ['created today', String(result.created_today ?? 0)],
    ['by type', types || '-'],
  ]).map((line) => `  ${line}`)
}

export function systemStatus (sys: any, persona: any | undefined, c: Palette): string[] {
  const state = (ok: boolean, text: string) => (ok ? c.green(text) : c.yellow(text))
  const components = Object.entries(sys.components ?? {}).map(([name, value]: [string, any]) =>
    `${name} ${state(value.status === 'up', value.status)}${value.detail ? c.dim(` (${value.detail})`) : ''}`)
  const lines = [
    `server ${c.bold(String(sys.system_status))}, version ${sys.version}, up ${Math.round(sys.uptime_seconds ?? 0)}s, ${sys.connections} connection(s)`,
    `llm ${state(sys.llm_available, sys.llm_available ? 'available' : 'fallback replies')}; personas ${sys.available_personas}/${sys.total_personas} available`,
    ...components.map((line) => `  ${line}`),
  ]
  if (persona) {
    const s = persona.interaction_state ?? {}
    lines.push(
      `${c.cyan(persona.persona?.name ?? '?')}: ${s.is_available ? 'available' : c.yellow('resting')}, energy ${s.social_energy}, ` +
      `time ${s.available_time}s, fatigue ${s.interaction_fatigue}, interest ${s.interest_level}, priority ${s.current_priority}`,
      `  memories ${persona.memory_stats?.total_memories ?? 0}`,
    )
  } else {
    lines.push(c.dim('no current persona (switch <name>)'))
  }
  return lines
}

export function relationships (result: any, names: Map<string, string>, c: Palette): string[] {
  if (!result.relationships?.length) return [c.dim('no relationships yet')]
  return columns(result.relationships.map((r: any) => [
    names.get(r.other_persona_id) ?? r.other_persona_id,
    String(r.relationship_type),
    `affinity ${fixed(r.affinity)}`, `trust ${fixed(r.trust)}`, `respect ${fixed(r.respect)}`, `intimacy ${fixed(r.intimacy)}`,
    `${r.interaction_count} interaction(s)`,
  ]))
}

export function history (result: any, personaName: string, c: Palette): string[] {
  if (!result.messages?.length) return [c.dim('no messages yet')]
  const lines = result.messages.map((m: any) => {
    const who = m.role === 'user' ? c.green('you') : c.cyan(m.role === 'persona' ? personaName : String(m.role))
    return `${c.dim(`[${m.turn_number}]`)} ${who}: ${m.content}`
  })
  if (result.summary) lines.unshift(c.dim(`summary: ${oneLine(result.summary, 200)}`))
  if (result.has_more) lines.unshift(c.dim(`(older turns not shown; ${result.total_turns} in all)`))
  return lines
}

export const HELP: ReadonlyArray<[string, string]> = [
  ['<text>', 'chat with the current persona (the reply streams; /cancel or Ctrl-C stops it)'],
  ['say <text>', 'chat, also when the text starts with a command word'],
  ['list', 'personas and whether they are available'],
  ['switch <name>', 'talk to another persona'],
  ['history', 'this session\'s conversation with the current persona'],
  ['memory <query>', 'search the current persona\'s memories'],
  ['stats', 'memory statistics of the current persona'],
  ['prune [force]', 'pruning recommendation, then prune after you confirm'],
  ['status', 'server and current persona status'],
  ['relationships', 'the current persona\'s relationships'],
  ['call <method> [json]', 'any JSON-RPC method, e.g. call memory.get_stats {}'],
  ['help', 'this list'],
  ['quit', 'leave (or Ctrl-D)'],
]
