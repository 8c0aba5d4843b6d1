import { Type } from '@sinclair/typebox'
import type { AppConfig } from '../../config/index.ts'
import { currentPersona } from '../../personas/methods.ts'
import { PersonaRef } from '../../personas/schemas.ts'
import type { PersonaService } from '../../personas/service.ts'
import type { RpcContext } from '../../rpc/context.ts'
import { domainError, ErrorCode } from '../../rpc/errors.ts'
import { defineMethod } from '../../rpc/method.ts'
import type { SessionService } from '../../sessions/service.ts'
import { ConversationEnded, ConversationRun, ConversationStarted, ConversationStatus, PersonaTurn } from '../schemas.ts'
import { createStreamFrames } from '../stream-frames.ts'
import type { ThreadStore } from '../threads.ts'
import type { ConversationEngine } from './engine.ts'
import type { PersonaConversation } from './store.ts'

export interface P2PMethodDeps {
  engine: ConversationEngine
  threads: ThreadStore
  personas: PersonaService
  sessions: SessionService
  rules: AppConfig['personaConversations']
}

const ConversationId = Type.String({ minLength: 1, maxLength: 64 })

const statusOf = (c: PersonaConversation, threshold: number, minBudget: number) => ({
  id: c.id,
  kind: 'persona' as const,
  participants: [c.persona1Id, c.persona2Id],
  topic: c.topic,
  turn_count: c.turnCount,
  duration: c.durationSeconds,
  continue_score: c.continueScore,
  tokens_remaining: c.tokenBudget - c.tokensUsed,
  should_continue: c.status === 'active' && c.continueScore >= threshold && c.tokenBudget - c.tokensUsed > minBudget,
  tokens_used: c.tokensUsed,
  summarized_turns: 0,
  last_activity: c.startedAt.toISOString(),
  status: c.status,
  end_reason: c.endReason,
})

/** Persona-to-persona conversations, and conversation.status for both kinds of conversation. */
export function createP2PMethods (deps: P2PMethodDeps) {
  const { engine, threads, rules } = deps
  const who = (ctx: RpcContext) => [ctx.connection.user.id, ctx.connection.user.scope === 'admin'] as const
  /** the id given, or the conversation this session started last */
  const chosen = (ctx: RpcContext, id?: string) => {
    const resolved = id ?? ctx.connection.session.conversationId
    if (resolved === null) throw domainError(ErrorCode.ConversationNotFound, 'No conversation given and none started in this session', {})
    return resolved
  }

  return [
    defineMethod({
      name: 'conversation.start',
      description: 'Start a conversation between two available personas about a topic, with a token budget.',
      params: Type.Object({
        persona1_id: PersonaRef,
        persona2_id: PersonaRef,
        topic: Type.String({ minLength: 1, maxLength: 200, default: rules.defaultTopic }),
        token_budget: Type.Integer({ minimum: rules.minTokenBudget + 1, maximum: 100_000, default: rules.defaultTokenBudget }),
      }),
      result: ConversationStarted,
      handler: async (p, ctx) => {
        const c = await engine.start(p.persona1_id, p.persona2_id, p.topic, p.token_budget, ctx.connection.user.id)
        ctx.connection.session.conversationId = c.id
        return { conversation_id: c.id, participants: [c.persona1Id, c.persona2Id], topic: c.topic, started: true as const }
      },
    }),
    defineMethod({
      name: 'conversation.turn',
      description: 'The next speaker says one turn, in character, seeing the shared transcript and its own memories. ' +
        'The conversation ends by itself when its continue score or budget runs out.',
      params: Type.Object({ conversation_id: Type.Optional(ConversationId) }),
      result: PersonaTurn,
      handler: ({ conversation_id }, ctx) => engine.turn(chosen(ctx, conversation_id), ...who(ctx), ctx.connection.signal),
    }),
    defineMethod({
      name: 'conversation.run',
      description: 'Turns until the continue score drops below the threshold, the budget runs out or max_turns are taken; ' +
        'each turn streams as a `stream.event` notification (conversation_turn), then one final response that also carries the stream_complete fields.',
      params: Type.Object({
        conversation_id: Type.Optional(ConversationId),
        max_turns: Type.Integer({ minimum: 1, maximum: 200, default: rules.maxTurns }),
      }),
      result: ConversationRun,
      handler: async ({ conversation_id, max_turns }, ctx) => {
        const id = chosen(ctx, conversation_id)
        const started = performance.now()
        const frames = createStreamFrames(ctx, id)
        const turns = []
        try {
          frames.event('conversation_start', {}, { conversation_id: id, max_turns })
          for (let i = 0; i < max_turns && !ctx.connection.signal.aborted; i++) {
            const turn = await engine.turn(id, ...who(ctx), ctx.connection.signal)
            turns.push(turn)
            frames.event('conversation_turn', {}, turn)
            if (turn.ended) break
          }
          const last = turns.at(-1)
          const outcome = { conversation_id: id, turns_taken: turns.length, ended: last?.ended ?? false, end_reason: last?.end_reason ?? null }
          frames.event('conversation_complete', {}, outcome)
          // as a stream_complete: the turns are its chunks, the transcript of this run its full response
          // (conversation_complete stays the last notification; legacy framing ends with this response)
          return frames.complete({ ...outcome, turns }, {
            fullResponse: turns.map((turn) => `${turn.speaker_name}: ${turn.content}`).join('\n'),
            chunkCount: turns.length,
            tokensUsed: turns.reduce((n, turn) => n + turn.tokens_used, 0),
            processingTime: Math.round(performance.now() - started) / 1000,
            data: { conversation_id: id },
          }, { announce: false })
        } catch (err) {
          return frames.fail(err)
        }
      },
    }),
    defineMethod({
      name: 'conversation.end',
      description: 'End a persona-to-persona conversation: both personas cool down and their relationship is updated.',
      params: Type.Object({ conversation_id: Type.Optional(ConversationId), reason: Type.String({ minLength: 1, maxLength: 200, default: 'user_request' }) }),
      result: ConversationEnded,
      handler: async ({ conversation_id, reason }, ctx) => {
        const { conversation, final_stats } = await engine.end(chosen(ctx, conversation_id), ...who(ctx), reason)
        return { conversation_id: conversation.id, ended: true as const, reason, final_stats }
      },
    }),
    defineMethod({
      name: 'conversation.status',
      description: 'State of a conversation by id (persona-to-persona, or one of your threads), or of this session\'s thread with the current persona.',
      readOnly: true,
      params: Type.Object({ conversation_id: Type.Optional(ConversationId) }),
      result: ConversationStatus,
      handler: async ({ conversation_id }, ctx) => {
        const { session } = ctx.connection
        const thread = conversation_id === undefined
          ? await threads.find(session.id, currentPersona(deps, ctx).id)
          : await threads.byId(conversation_id)
        if (thread && 'kind' in thread && thread.kind === 'persona') return statusOf(await engine.find(thread.id, ...who(ctx)), rules.continueThreshold, rules.minTokenBudget)
        if (!thread || thread.userId !== session.userId) {
          throw domainError(ErrorCode.ConversationNotFound, `Conversation not found: ${conversation_id ?? '(current)'}`, { conversation_id })
        }
        return {
          id: thread.id,
          kind: 'user' as const,
          participants: [session.userId, thread.personaId],
          topic: null,
          turn_count: thread.turnCount,
          duration: (thread.lastActivityAt.getTime() - thread.startedAt.getTime()) / 1000,
          continue_score: 50,
          tokens_remaining: null,
          should_continue: true,
          tokens_used: thread.tokensUsed,
          summarized_turns: thread.summarizedTurn,
          last_activity: thread.lastActivityAt.toISOString(),
        }
      },
    }),
  ]
}
