import type { CompletedTurn } from '../conversation/service.ts'
import type { MemoryService } from './service.ts'

/** Every chat turn becomes a scored memory of what was said (a conversation TurnListener). */
export const rememberTurn = (memory: MemoryService) => async (turn: CompletedTurn): Promise<void> => {
  const recentUserTexts = turn.thread.recent.filter((m) => m.role === 'user').map((m) => m.content).slice(-4, -1)
  await memory.store({
    personaId: turn.persona.id,
    userId: turn.session.userId,
    content: `User said: ${turn.message}. I responded: ${turn.reply}`,
    memoryType: 'conversation',
    importance: memory.score(turn.persona, turn.message, recentUserTexts, turn.reply),
    metadata: { conversation_id: turn.thread.id, turn_number: turn.turnNumber, response_type: turn.responseType },
  })
}
