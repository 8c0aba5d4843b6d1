import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CompleteRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { CompleteResult } from '@modelcontextprotocol/sdk/types.js'
import type { RpcConnection, RpcContext } from '../rpc/context.ts'
import { promptNames } from './prompts.ts'
import { CONVERSATION_TEMPLATE } from './conversation-resource.ts'
import { RESOURCE_TEMPLATES } from './resources.ts'
import type { McpDeps } from './types.ts'

/** the specification's cap on values per completion */
export const MAX_COMPLETIONS = 100
const TEMPLATES = new Set(RESOURCE_TEMPLATES.map((t) => t.uriTemplate))
const NOTHING: CompleteResult = { completion: { values: [], hasMore: false } }

/** Case-insensitive: the value starts with what was typed, or one of its words does ("hist" finds "ancient history"). */
export function matching (candidates: Iterable<string>, typed: string): string[] {
  const t = typed.toLowerCase()
  const starts: string[] = []
  const words: string[] = []
  for (const value of new Set(candidates)) {
    const v = value.toLowerCase()
    if (v.startsWith(t)) starts.push(value)
    else if (v.includes(` ${t}`)) words.push(value)
  }
  return [...starts, ...words]
}

export function toResult (values: string[]): CompleteResult {
  return { completion: { values: values.slice(0, MAX_COMPLETIONS), total: values.length, hasMore: values.length > MAX_COMPLETIONS } }
}

/**
 * completion/complete for every argument the server offers: `persona_id` of the resource templates and
 * `topic` of the roleplay_* prompts. Personas come from persona.list called as this session's user, so a
 * completion never names more than that user could list; anything unknown completes to nothing.
 */
export function registerCompletions (server: Server, deps: McpDeps, connection: RpcConnection): void {
  const visiblePersonas = async (requestId: string | number) => {
    const ctx: RpcContext = { connection, requestId, log: deps.log }
    const listed = await deps.registry.call('persona.list', {}, ctx) as { personas: Array<{ id: string, name: string }> }
    return listed.personas
  }

  server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    const { ref, argument } = request.params
    if (ref.type === 'ref/resource' && ref.uri === CONVERSATION_TEMPLATE.uriTemplate && argument.name === 'conversation_id') {
      const ids = await deps.recentConversations?.(connection.user) ?? []
      return toResult(matching(ids, argument.value))
    }
    if (ref.type === 'ref/resource') {
      if (!TEMPLATES.has(ref.uri) || argument.name !== 'persona_id') return NOTHING
      const personas = await visiblePersonas(extra.requestId)
      // names first: that is what people type; ids for clients that pass them on
      return toResult(matching([...personas.map((p) => p.name), ...personas.map((p) => p.id)], argument.value))
    }
    if (ref.type !== 'ref/prompt' || argument.name !== 'topic') return NOTHING
    const persona = promptNames(deps.personas.list()).get(ref.name)
    if (!persona || !(await visiblePersonas(extra.requestId)).some((p) => p.id === persona.id)) return NOTHING
    const favourites = Object.entries(persona.topicPreferences).sort((a, b) => b[1] - a[1]).map(([topic]) => topic.replaceAll('_', ' '))
    const recent = await deps.recentTopics?.(persona.id, connection.user).catch((err: unknown) => {
      deps.log.warn({ err, persona: persona.id }, 'recent topics unavailable for completion')
      return []
    }) ?? []
    return toResult(matching([...favourites, ...recent], argument.value))
  })
}
