import { McpError } from '@modelcontextprotocol/sdk/types.js'
import type { ReadResourceResult, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js'
import type { PersonaConversation } from '../conversation/p2p/store.ts'
import type { PersonaService } from '../personas/service.ts'
import { ErrorCode, RpcError } from '../rpc/errors.ts'
import type { UserIdentity } from '../rpc/caller.ts'

/** MCP's "resource not found" code (specification, server/resources "Error handling"). */
export const RESOURCE_NOT_FOUND = -32002
const JSON_TYPE = 'application/json'

export const CONVERSATION_TEMPLATE: ResourceTemplate = {
  uriTemplate: 'conversation://{conversation_id}', name: 'conversation', title: 'Persona-to-persona conversation', mimeType: JSON_TYPE,
  description: 'A conversation between two personas that you started (admins: any): topic, participants, status and its latest turns; subscribe to watch it unfold',
}

/** the persona-to-persona conversations a user may see (the engine's own check: others' are "not found") */
export interface ConversationReader {
  find (id: string, userId: string, admin: boolean): Promise<PersonaConversation>
}

/** The id a `conversation://` URI names; undefined for other URIs, '' for a malformed one (which names nothing). */
export function conversationIdOf (uri: string): string | undefined {
  const match = /^conversation:\/\/([^/]+)$/.exec(uri)
  if (!match?.[1]) return uri.startsWith('conversation://') ? '' : undefined
  try {
    return decodeURIComponent(match[1])
  } catch {
    return ''
  }
}

/** The conversation if this user may see it; a missing one and someone else's are the same -32002. */
export async function findConversation (reader: ConversationReader | undefined, uri: string, id: string, user: UserIdentity): Promise<PersonaConversation> {
  const notFound = () => new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri })
  if (!reader || id === '') throw notFound()
  try {
    return await reader.find(id, user.id, user.scope === 'admin')
  } catch (err) {
    if (err instanceof RpcError && err.code === ErrorCode.ConversationNotFound) throw notFound()
    throw err
  }
}

/** What `conversation://{id}` reads: the conversation as it stands, its newest turns numbered. */
export async function readConversation (reader: ConversationReader | undefined, personas: Pick<PersonaService, 'find'>, uri: string, id: string, user: UserIdentity): Promise<ReadResourceResult> {
  const c = await findConversation(reader, uri, id, user)
  const nameOf = (personaId: string) => personas.find(personaId)?.name ?? null
  const first = c.turnCount - c.transcript.length + 1
  const body = {
    id: c.id,
    topic: c.topic,
    participants: [c.persona1Id, c.persona2Id].map((personaId) => ({ id: personaId, name: nameOf(personaId) })),
    status: c.status,
    end_reason: c.endReason,
    turn_count: c.turnCount,
    tokens_used: c.tokensUsed,
    token_budget: c.tokenBudget,
    continue_score: c.continueScore,
    started_at: c.startedAt.toISOString(),
    turns: c.transcript.map((line, i) => ({ turn_number: first + i, speaker_id: line.speakerId, speaker_name: nameOf(line.speakerId), content: line.content })),
  }
  return { contents: [{ uri, mimeType: JSON_TYPE, text: JSON.stringify(body, null, 2) }] }
}
