import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { ErrorCode, GetPromptRequestSchema, ListPromptsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js'
import type { Prompt } from '@modelcontextprotocol/sdk/types.js'
import { systemPrompt } from '../conversation/prompt.ts'
import { defuseUserText } from '../llm/sanitize.ts'
import type { Persona } from '../personas/types.ts'
import type { RpcConnection } from '../rpc/context.ts'
import { iconsOf } from './icons.ts'
import { page } from './wire.ts'
import type { McpDeps } from './types.ts'

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')

/**
 * One prompt per persona, `roleplay_<name>`; a name whose slug another persona already has (or that has
 * none, e.g. all punctuation) falls back to the id, so every prompt name stays unique and stable.
 */
export function promptNames (personas: readonly Persona[]): Map<string, Persona> {
  const names = new Map<string, Persona>()
  for (const persona of personas) {
    const s = slug(persona.name)
    names.set(s !== '' && !names.has(`roleplay_${s}`) ? `roleplay_${s}` : `roleplay_${persona.id}`, persona)
  }
  return names
}

/** Without a topic, memories are recalled by what the persona cares about most. */
function recallQuery (persona: Persona, topic: string | undefined): string {
  if (topic !== undefined && topic.trim() !== '') return topic
  const favourites = Object.entries(persona.topicPreferences).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([t]) => t.replaceAll('_', ' '))
  return [persona.name, ...favourites].join(' ')
}

export function registerPrompts (server: Server, deps: McpDeps, connection: RpcConnection): void {
  server.setRequestHandler(ListPromptsRequestSchema, async (request) => {
    const named = [...promptNames(deps.personas.list())]
    const icons = await iconsOf(named.map(([, persona]) => persona), deps.avatarIcon)
    const prompts = named.map(([name, persona], i): Prompt => ({
      name,
      title: `Role-play ${persona.name}`,
      icons: icons[i],
      description: `Play ${persona.name} with their current state, mood and the memories you share. ${persona.description}`,
      arguments: [{ name: 'topic', description: 'what the conversation is about: memories about it are recalled', required: false }],
    }))
    const { items, nextCursor } = page(prompts, request.params?.cursor, deps.pageSize)
    return { prompts: items, ...(nextCursor && { nextCursor }) }
  })

  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    const { name, arguments: args } = request.params
    const persona = promptNames(deps.personas.list()).get(name)
    if (!persona) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`)
    const topic = args?.topic
    // the very sections a chat turn carries (memories, feelings about this user, mood), for this user
    const context = { persona, userId: connection.user.id, message: recallQuery(persona, topic), conversationId: '', firstTurnInPrompt: Number.MAX_SAFE_INTEGER }
    const sections = (await Promise.all(deps.promptSections().map((section) => section(context).catch((err: unknown) => {
      deps.log.warn({ err, persona: persona.id }, 'prompt section failed, left out of the MCP prompt')
      return undefined
    })))).filter((s): s is string => Boolean(s))
    // the topic is the caller's text and the name a persona owner's: defused like chat text, as systemPrompt does
    const opening = topic ? `Let's talk about ${defuseUserText(topic)}.` : `Greet me in character as ${defuseUserText(persona.name)}.`
    return {
      description: `Role-play ${persona.name}`,
      messages: [{ role: 'user' as const, content: { type: 'text' as const, text: `${systemPrompt(persona, sections, '')}\n\n${opening}` } }],
    }
  })
}
