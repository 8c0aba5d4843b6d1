import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, McpError, ReadResourceRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js'
import type { RpcConnection, RpcContext } from '../rpc/context.ts'
import { ErrorCode, RpcError } from '../rpc/errors.ts'
import { CONVERSATION_TEMPLATE, conversationIdOf, readConversation } from './conversation-resource.ts'
import { iconsOf } from './icons.ts'
import { page } from './wire.ts'
import type { McpDeps } from './types.ts'

/** MCP's "resource not found" code (specification, server/resources "Error handling"). */
const RESOURCE_NOT_FOUND = -32002
const JSON_TYPE = 'application/json'

export const RESOURCE_TEMPLATES: ResourceTemplate[] = [
  { uriTemplate: 'persona://{persona_id}', name: 'persona', title: 'Persona profile and state', mimeType: JSON_TYPE,
    description: 'A persona (id or name): profile, interaction state, emotional state and its relationship with you' },
  { uriTemplate: 'persona://{persona_id}/memory-stats', name: 'persona-memory-stats', title: 'Persona memory figures', mimeType: JSON_TYPE,
    description: 'Counts and averages of the memories of a persona that you may see' },
  { uriTemplate: 'session://current/transcript/{persona_id}', name: 'transcript', title: 'Session transcript', mimeType: JSON_TYPE,
    description: 'This MCP session\'s conversation with a persona: its latest 200 messages and summary' },
  CONVERSATION_TEMPLATE,
]

/** A URI segment decoded; undefined for malformed percent-encoding (`%E0%A4%A`), which names no resource. */
function decodeSegment (segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/**
 * What a URI reads, as registry calls made on the session's own connection: the same user scoping as the
 * methods, and no second implementation of any of them.
 */
function route (uri: string): Array<{ method: string, params: Record<string, unknown>, key?: string }> | undefined {
  const persona = /^persona:\/\/([^/]+)(\/memory-stats)?$/.exec(uri)
  if (persona?.[1] !== undefined) {
    const id = decodeSegment(persona[1])
    if (id === undefined) return undefined
    return persona[2] === undefined
      ? [{ method: 'persona.get', params: { persona_id: id } }, { method: 'emotional.get_state', params: { persona_id: id }, key: 'emotional_state' },
          { method: 'relationship.with_me', params: { persona_id: id }, key: 'relationship' }]
      : [{ method: 'memory.stats', params: { persona_id: id } }]
  }
  const transcript = /^session:\/\/current\/transcript\/([^/]+)$/.exec(uri)
  if (transcript?.[1] !== undefined) {
    const id = decodeSegment(transcript[1])
    return id === undefined ? undefined : [{ method: 'conversation.history', params: { persona_id: id, limit: 200 } }]
  }
  if (uri === 'session://current') return [{ method: 'session.get_info', params: {} }]
  if (uri === 'memory://stats') return [{ method: 'memory.get_stats', params: {} }]
  return undefined
}

export function registerResources (server: Server, deps: McpDeps, connection: RpcConnection): void {
  const { registry, log } = deps
  server.setRequestHandler(ListResourcesRequestSchema, async (request) => {
    const personas = deps.personas.list()
    const icons = await iconsOf(personas, deps.avatarIcon)
    const resources: Resource[] = [
      ...personas.map((p, i): Resource => ({
        uri: `persona://${p.id}`, name: p.name, title: p.name, mimeType: JSON_TYPE, description: `${p.name}: profile and current state. ${p.description}`, icons: icons[i],
      })),
      { uri: 'session://current', name: 'session', title: 'This session', mimeType: JSON_TYPE, description: 'Session id, user and current persona' },
      { uri: 'memory://stats', name: 'memory-stats', title: 'Memory system', mimeType: JSON_TYPE, description: 'Memory figures of every persona, embedder, index and settings' },
    ]
    const { items, nextCursor } = page(resources, request.params?.cursor, deps.pageSize)
    return { resources: items, ...(nextCursor && { nextCursor }) }
  })

  server.setRequestHandler(ListResourceTemplatesRequestSchema, (request) => {
    const { items, nextCursor } = page(RESOURCE_TEMPLATES, request.params?.cursor, deps.pageSize)
    return { resourceTemplates: items, ...(nextCursor && { nextCursor }) }
  })

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const { uri } = request.params
    const conversation = conversationIdOf(uri)
    if (conversation !== undefined) return readConversation(deps.conversations, deps.personas, uri, conversation, connection.user)
    const calls = route(uri)
    if (!calls) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri })
    const ctx: RpcContext = { connection, requestId: extra.requestId, log }
    try {
      let body: Record<string, unknown> = {}
      for (const { method, params, key } of calls) {
        // optional parts (emotional state) are left out when their service is not part of this server
        if (key !== undefined && registry.get(method) === undefined) continue
        const result = await registry.call(method, params, ctx) as Record<string, unknown>
        body = key === undefined ? { ...body, ...result } : { ...body, [key]: result[key] }
      }
      return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(body, null, 2) }] }
    } catch (err) {
      if (!(err instanceof RpcError)) {
        log.error({ err, uri, connection: connection.id }, 'internal error reading an MCP resource')
        throw new McpError(ErrorCode.InternalError, 'Internal error', { uri })
      }
      const missing = err.code === ErrorCode.PersonaNotFound || err.code === ErrorCode.NotFound || err.code === ErrorCode.NoActivePersona
      throw new McpError(missing ? RESOURCE_NOT_FOUND : err.code, err.message, { uri, ...err.data })
    }
  })
}
