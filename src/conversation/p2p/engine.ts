import type { AppConfig } from '../../config/index.ts'
import type { EventBus } from '../../events/bus.ts'
import type { LlmProvider } from '../../llm/types.ts'
import { applyFatigue } from '../../personas/state.ts'
import type { PersonaService } from '../../personas/service.ts'
import type { Persona } from '../../personas/types.ts'
import { domainError, ErrorCode } from '../../rpc/errors.ts'
import { compatibilityScore } from '../../relationships/rules.ts'
import type { RelationshipService } from '../../relationships/service.ts'
import { createKeyedLock } from '../../util/keyed-lock.ts'
import { continueScore, conversationCooldown, shouldContinue, turnSeconds } from '../p2p-rules.ts'
import type { PromptSection } from '../service.ts'
import { extractiveSummary } from '../summary.ts'
import { buildTurnMessages } from './prompt.ts'
import type { PersonaConversation, PersonaConversationStore } from './store.ts'

export interface EngineDeps {
  store: PersonaConversationStore
  llm: LlmProvider
  personas: PersonaService
  relationships: RelationshipService
  events: EventBus
  /** what each speaker brings to mind (memories, mood); the same sections as user chats */
  sections: () => PromptSection[]
  /** each persona keeps a memory of the conversation when it ends, owned by the user who ran it */
  remember: (memory: { personaId: string, otherId: string, content: string, userId: string | null, conversationId: string }) => Promise<void>
  rules: AppConfig['personaConversations']
  log: { error (obj: object, msg?: string): void }
  now?: () => number
}

/** Persona-to-persona conversations (original-api.md section 4): turns through the LLM, scored, ended with cooldowns. */
export function createConversationEngine (deps: EngineDeps) {
  const { store, llm, personas, relationships, events, rules, now = Date.now } = deps
  const withLock = createKeyedLock()

  const require = async (id: string, userId: string, admin: boolean): Promise<PersonaConversation> => {
    const c = await store.find(id)
    // someone else's conversation is reported as missing: its existence is not theirs to learn
    // (one of no known owner, from before owners were kept, is the admins')
    if (!c || (!admin && c.userId !== userId)) {
      throw domainError(ErrorCode.ConversationNotFound, `Conversation not found: ${id}`, { conversation_id: id })
    }
    return c
  }

  const compatibilityOf = async (a: string, b: string) => {
    const rel = await relationships.find('persona', a, b)
    return rel ? compatibilityScore(rel) : null
  }

  async function end (c: PersonaConversation, reason: string) {
    if (c.status === 'ended') return
    await store.end(c, reason)
    const [p1, p2] = [personas.find(c.persona1Id), personas.find(c.persona2Id)]
    const cooldown = conversationCooldown(c.continueScore, p1?.state.interactionFatigue ?? 0, rules)
    const until = now() / 1000 + cooldown
    for (const p of [p1, p2]) if (p) await personas.setState(p.id, (s) => ({ ...s, cooldownUntil: Math.max(s.cooldownUntil, until) }))
    if (p1 && p2 && c.turnCount > 0) {
      await relationships.interact('persona', p1.id, p2.id, { quality: (c.continueScore - 50) / 50, minutes: c.durationSeconds / 60, context: 'conversation' })
      const lines = c.transcript.map((l) => ({ role: l.speakerId === p1.id ? 'user' as const : 'persona' as const, content: l.content }))
      const gist = extractiveSummary('', lines, p2.name).replaceAll('User:', `${p1.name}:`)
      for (const [self, other] of [[p1, p2], [p2, p1]] as const) {
        await deps.remember({ personaId: self.id, otherId: other.id, content: `A conversation with ${other.name} about ${c.topic}: ${gist}`, userId: c.userId, conversationId: c.id })
          .catch((err: unknown) => deps.log.error({ err, conversation: c.id }, 'storing the conversation memory failed'))
      }
    }
    events.publish(`conversation.${c.id}`, 'ended', { conversation_id: c.id, reason, cooldown_seconds: cooldown, ...finalStats(c) }, audienceOf(c))
  }

  /** a conversation's events are its runner's (and admins'), like its transcript */
  const audienceOf = (c: PersonaConversation) => ({ owner: c.userId })

  const finalStats = (c: PersonaConversation) => ({ duration: c.durationSeconds, turns: c.turnCount, tokens_used: c.tokensUsed })

  async function speak (c: PersonaConversation, signal?: AbortSignal) {
    if (c.status === 'ended') throw domainError(ErrorCode.Conflict, `Conversation ${c.id} has ended (${c.endReason})`, { conversation_id: c.id })
    const [speaker, listener] = (c.turnCount % 2 === 0 ? [c.persona1Id, c.persona2Id] : [c.persona2Id, c.persona1Id]).map((id) => personas.get(id)) as [Persona, Persona]
    const remaining = c.tokenBudget - c.tokensUsed
    const started = performance.now()
    const extra = await Promise.all(deps.sections().map((section) => section({
      persona: speaker, userId: '', message: c.transcript.at(-1)?.content ?? c.topic, conversationId: c.id, firstTurnInPrompt: c.turnCount - 20,
    })))
    const result = await llm.generate({
      messages: buildTurnMessages({ speaker, listener, topic: c.topic, transcript: c.transcript, sections: extra.filter((s): s is string => Boolean(s)) }),
      maxTokens: Math.max(1, Math.min(remaining, 300)),
      signal,
      fallback: { personaName: speaker.name, priority: speaker.state.currentPriority, socialEnergy: speaker.state.socialEnergy },
    })
    const processing = (performance.now() - started) / 1000
    const seconds = turnSeconds(processing, rules)
    const after = await personas.setState(speaker.id, (s) => applyFatigue(s, seconds))
    const listenerAfter = await personas.setState(listener.id, (s) => applyFatigue(s, Math.floor(seconds / 2)))
    const score = continueScore({
      durationSeconds: c.durationSeconds + seconds, priority: after.state.currentPriority, topic: c.topic, persona1: after, persona2: listenerAfter,
      tokensRemaining: remaining - result.tokensUsed, compatibility: await compatibilityOf(speaker.id, listener.id), fatigue: after.state.interactionFatigue,
    })
    await store.appendTurn(c, { speakerId: speaker.id, content: result.text, tokens: result.tokensUsed, processingTime: processing, responseType: result.responseType, seconds, continueScore: score })
    const tokensRemaining = c.tokenBudget - c.tokensUsed
    const goOn = shouldContinue(score, tokensRemaining, rules)
    const turn = {
      conversation_id: c.id, turn_number: c.turnCount, speaker_id: speaker.id, speaker_name: speaker.name, content: result.text,
      response_type: result.responseType, tokens_used: result.tokensUsed, continue_score: score, tokens_remaining: tokensRemaining, should_continue: goOn,
    }
    events.publish(`conversation.${c.id}`, 'turn', turn, audienceOf(c))
    if (!goOn) await end(c, tokensRemaining <= rules.minTokenBudget ? 'budget_exhausted' : 'low_interest')
    return { ...turn, ended: !goOn, end_reason: c.endReason }
  }

  return {
    async start (a: string, b: string, topic: string, tokenBudget: number, userId: string) {
      const [p1, p2] = [personas.get(a), personas.get(b)]
      if (p1.id === p2.id) throw domainError(ErrorCode.Conflict, 'A persona cannot hold a conversation with itself', { persona_id: p1.id })
      personas.requireAvailable(p1.id)
      personas.requireAvailable(p2.id)
      const c = await store.create({ persona1Id: p1.id, persona2Id: p2.id, userId, topic, tokenBudget })
      events.publish(`conversation.${c.id}`, 'started', { conversation_id: c.id, participants: [p1.id, p2.id], topic, token_budget: tokenBudget }, audienceOf(c))
      return c
    },

    turn: (id: string, userId: string, admin: boolean, signal?: AbortSignal) =>
      withLock(id, async () => speak(await require(id, userId, admin), signal)),

    async end (id: string, userId: string, admin: boolean, reason: string) {
      return withLock(id, async () => {
        const c = await require(id, userId, admin)
        if (c.status === 'ended') throw domainError(ErrorCode.Conflict, `Conversation ${id} has already ended (${c.endReason})`, { conversation_id: id })
        await end(c, reason)
        return { conversation: c, final_stats: finalStats(c) }
      })
    },

    find: require,
    activeCount: () => store.activeCount(),
  }
}

export type ConversationEngine = ReturnType<typeof createConversationEngine>
