import type { EventBus } from '../events/bus.ts'
import type { EmotionService } from './emotion-service.ts'
import { moodWords } from './emotions.ts'
import type { RelationshipService } from './service.ts'
import { emotionView } from './views.ts'

/**
 * What this domain needs of user chats: turns as they complete, and a say in the prompt. Structural, so
 * the conversation domain (which already uses relationships) is not imported back.
 */
export interface ChatHooks {
  onTurn (listener: (turn: { persona: { id: string }, session: { userId: string }, message: string, reply: string }) => Promise<void>): void
  addPromptSection (section: (turn: { persona: { id: string }, userId: string }) => Promise<string | undefined>): void
}

export interface ChatEffectsDeps {
  chat: ChatHooks
  relationships: RelationshipService
  emotions: EmotionService
  /** quality -1..1 of a user turn (the conversation domain's judge) */
  judge: (message: string, reply: string) => number
  /** how long one user chat turn counts for, in minutes */
  userTurnMinutes: number
}

/** A user's chat turn moves how the persona feels about them, and its mood; both are in the next prompt. */
export function joinUserChats ({ chat, relationships, emotions, judge, userTurnMinutes }: ChatEffectsDeps): void {
  chat.onTurn(async ({ persona, session, message, reply }) => {
    const quality = judge(message, reply)
    const context = quality <= -0.3 ? 'conflict' : quality >= 0.3 ? 'casual' : 'conversation'
    await relationships.interact('user', persona.id, session.userId, { quality, minutes: userTurnMinutes, context })
    await emotions.afterTurn(persona.id, quality)
  })
  chat.addPromptSection(async ({ persona, userId }) => (userId === '' ? undefined : relationships.feelingsAbout(persona.id, userId)))
  chat.addPromptSection(async ({ persona }) => `Your mood right now: ${moodWords(await emotions.get(persona.id))}.`)
}

/** Every mood change, to the persona's watchers (moods are public, as personas are). */
export function publishMoodChanges (emotions: EmotionService, events: Pick<EventBus, 'publish'>): void {
  emotions.onChange((personaId, state) => {
    events.publish(`persona.${personaId}`, 'mood_changed', { persona_id: personaId, emotional_state: emotionView(state) }, 'public')
  })
}
