import type { UserIdentity } from '../../rpc/caller.ts'
import type { PersonaConversationRepository } from '../repository.ts'

const TOPICS = 20
const IDS = 100

/** What MCP completions offer: the caller's own persona-to-persona conversations and topics (admins: everyone's). */
export function createRecentConversations (repository: Pick<PersonaConversationRepository, 'recentPersonaTopics' | 'recentPersonaConversationIds'>) {
  const runBy = (user: UserIdentity) => (user.scope === 'admin' ? null : user.id)
  return {
    /** topics of the persona's newest conversations, newest first, without repeats */
    topics: (personaId: string, user: UserIdentity): Promise<string[]> => repository.recentPersonaTopics(personaId, runBy(user), TOPICS),
    /** ids of the newest conversations */
    ids: (user: UserIdentity): Promise<string[]> => repository.recentPersonaConversationIds(runBy(user), IDS),
  }
}
