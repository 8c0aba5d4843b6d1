import type { ConversationRepository, StoredConversation, StoredMessage } from '../repository.ts'

/** A persona-to-persona conversation as the engine works on it. */
export interface PersonaConversation {
  id: string
  persona1Id: string
  persona2Id: string
  /** the user who started it: they may drive and end it */
  userId: string | null
  topic: string
  tokenBudget: number
  tokensUsed: number
  continueScore: number
  turnCount: number
  durationSeconds: number
  status: 'active' | 'ended'
  endReason: string | null
  startedAt: Date
  /** the newest lines, oldest first */
  transcript: Array<{ speakerId: string, content: string }>
}

const WINDOW = 20

const line = (m: StoredMessage) => ({ speakerId: m.speakerId ?? '', content: m.content })

const toConversation = (row: StoredConversation, transcript: PersonaConversation['transcript']): PersonaConversation => ({
  id: row.id,
  persona1Id: row.personaId,
  persona2Id: row.otherPersonaId ?? '',
  userId: row.userId,
  topic: row.topic ?? 'general',
  tokenBudget: row.tokenBudget ?? 0,
  tokensUsed: row.tokensUsed,
  continueScore: row.continueScore,
  turnCount: row.turnCount,
  durationSeconds: row.durationSeconds,
  status: row.status === 'ended' ? 'ended' : 'active',
  endReason: row.endReason,
  startedAt: row.startedAt,
  transcript,
})

type Repository = Pick<ConversationRepository, 'findConversation' | 'latestMessages' | 'createPersonaConversation' |
  'appendPersonaTurn' | 'endPersonaConversation' | 'activePersonaConversationIds'>

/** The active persona-to-persona conversations in memory, written through to the repository. */
export function createPersonaConversationStore (repository: Repository) {
  const active = new Map<string, PersonaConversation>()

  return {
    async create (input: { persona1Id: string, persona2Id: string, userId: string, topic: string, tokenBudget: number }): Promise<PersonaConversation> {
      const conversation = toConversation(await repository.createPersonaConversation(input, new Date()), [])
      active.set(conversation.id, conversation)
      return conversation
    },

    /** From memory while active; from the database otherwise (or after a restart). */
    async find (id: string): Promise<PersonaConversation | undefined> {
      const cached = active.get(id)
      if (cached) return cached
      const row = await repository.findConversation(id)
      if (!row || row.kind !== 'persona') return undefined
      const conversation = toConversation(row, (await repository.latestMessages(id, WINDOW)).map(line))
      if (conversation.status === 'active') active.set(id, conversation)
      return conversation
    },

    async appendTurn (c: PersonaConversation, turn: { speakerId: string, content: string, tokens: number, processingTime: number, responseType: string, seconds: number, continueScore: number }): Promise<void> {
      const turnNumber = c.turnCount + 1
      const at = new Date()
      await repository.appendPersonaTurn(c.id, {
        turnNumber, role: 'persona', speakerId: turn.speakerId, content: turn.content, tokens: turn.tokens,
        processingTime: turn.processingTime, responseType: turn.responseType, createdAt: at,
      }, { at, turnCount: turnNumber, tokens: turn.tokens, seconds: turn.seconds, continueScore: turn.continueScore })
      c.turnCount = turnNumber
      c.tokensUsed += turn.tokens
      c.durationSeconds += turn.seconds
      c.continueScore = turn.continueScore
      c.transcript.push({ speakerId: turn.speakerId, content: turn.content })
      if (c.transcript.length > WINDOW) c.transcript.shift()
    },

    async end (c: PersonaConversation, reason: string): Promise<void> {
      await repository.endPersonaConversation(c.id, reason, new Date())
      c.status = 'ended'
      c.endReason = reason
      active.delete(c.id)
    },

    /** How many persona-to-persona conversations are under way. */
    activeCount (): number {
      return active.size
    },

    async loadActive (): Promise<void> {
      for (const id of await repository.activePersonaConversationIds()) await this.find(id)
    },
  }
}

export type PersonaConversationStore = ReturnType<typeof createPersonaConversationStore>
