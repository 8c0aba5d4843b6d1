import type { PrismaClient, Conversation as ConversationRow } from '../../generated/prisma/client.ts'

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

const toConversation = (row: ConversationRow, transcript: PersonaConversation['transcript']): PersonaConversation => ({
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

export function createPersonaConversationStore (prisma: PrismaClient) {
  const active = new Map<string, PersonaConversation>()

  return {
    async create (input: { persona1Id: string, persona2Id: string, userId: string, topic: string, tokenBudget: number }): Promise<PersonaConversation> {
      const row = await prisma.conversation.create({
        data: { kind: 'persona', personaId: input.persona1Id, otherPersonaId: input.persona2Id, userId: input.userId, topic: input.topic, tokenBudget: input.tokenBudget },
      })
      const conversation = toConversation(row, [])
      active.set(conversation.id, conversation)
      return conversation
    },

    /** From memory while active; from the database otherwise (or after a restart). */
    async find (id: string): Promise<PersonaConversation | undefined> {
      const cached = active.get(id)
      if (cached) return cached
      const row = await prisma.conversation.findUnique({ where: { id } })
      if (!row || row.kind !== 'persona') return undefined
      const messages = await prisma.message.findMany({ where: { conversationId: id }, orderBy: { turnNumber: 'desc' }, take: WINDOW })
      const conversation = toConversation(row, messages.reverse().map((m) => ({ speakerId: m.speakerId ?? '', content: m.content })))
      if (conversation.status === 'active') active.set(id, conversation)
      return conversation
    },

    async appendTurn (c: PersonaConversation, turn: { speakerId: string, content: string, tokens: number, processingTime: number, responseType: string, seconds: number, continueScore: number }): Promise<void> {
      const turnNumber = c.turnCount + 1
      await prisma.$transaction([
        prisma.message.create({
          data: { conversationId: c.id, turnNumber, role: 'persona', speakerId: turn.speakerId, content: turn.content, tokens: turn.tokens, processingTime: turn.processingTime, responseType: turn.responseType },
        }),
        prisma.conversation.update({
          where: { id: c.id },
          data: { turnCount: turnNumber, tokensUsed: { increment: turn.tokens }, durationSeconds: { increment: turn.seconds }, continueScore: turn.continueScore, lastActivityAt: new Date() },
        }),
      ])
      c.turnCount = turnNumber
      c.tokensUsed += turn.tokens
      c.durationSeconds += turn.seconds
      c.continueScore = turn.continueScore
      c.transcript.push({ speakerId: turn.speakerId, content: turn.content })
      if (c.transcript.length > WINDOW) c.transcript.shift()
    },

    async end (c: PersonaConversation, reason: string): Promise<void> {
      await prisma.conversation.update({ where: { id: c.id }, data: { status: 'ended', endReason: reason, endedAt: new Date() } })
      c.status = 'ended'
      c.endReason = reason
      active.delete(c.id)
    },

    /** How many persona-to-persona conversations are under way. */
    activeCount (): number {
      return active.size
    },

    async loadActive (): Promise<void> {
      const rows = await prisma.conversation.findMany({ where: { kind: 'persona', status: 'active' }, select: { id: true } })
      for (const { id } of rows) await this.find(id)
    },
  }
}

export type PersonaConversationStore = ReturnType<typeof createPersonaConversationStore>

/**
 * The topics of a persona's latest persona-to-persona conversations, newest first, without repeats;
 * `userId` null: everyone's (admins), otherwise only the conversations that user ran.
 */
/** Ids of the newest persona-to-persona conversations a user ran (all users' when userId is null). */
export async function recentConversationIds (prisma: PrismaClient, userId: string | null, limit = 100): Promise<string[]> {
  const rows = await prisma.conversation.findMany({
    where: { kind: 'persona', ...(userId !== null && { userId }) },
    orderBy: { startedAt: 'desc' },
    take: limit,
    select: { id: true },
  })
  return rows.map((r) => r.id)
}

export async function recentPersonaTopics (prisma: PrismaClient, personaId: string, userId: string | null, limit = 20): Promise<string[]> {
  const rows = await prisma.conversation.findMany({
    where: { kind: 'persona', OR: [{ personaId }, { otherPersonaId: personaId }], ...(userId !== null && { userId }) },
    orderBy: { startedAt: 'desc' },
    take: limit * 3,
    select: { topic: true },
  })
  return [...new Set(rows.map((r) => r.topic).filter((t): t is string => Boolean(t)))].slice(0, limit)
}
