import { Type } from '@sinclair/typebox'
import type { AppConfig } from '../config/index.ts'
import { currentPersona, personaOrCurrent } from '../personas/methods.ts'
import { PersonaRef } from '../personas/schemas.ts'
import type { PersonaService } from '../personas/service.ts'
import type { RpcContext } from '../rpc/context.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import { defineMethod } from '../rpc/method.ts'
import type { SessionService } from '../sessions/service.ts'
import { ChatCancelled, ChatResult, History, StreamResult, ThreadCleared, transcriptEntry } from './schemas.ts'
import type { ConversationService } from './service.ts'
import { createStreamFrames } from './stream-frames.ts'
import type { StreamRegistry } from './streams.ts'
import type { Thread, ThreadStore, TranscriptPage } from './threads.ts'

export interface ConversationMethodDeps {
  conversations: ConversationService
  threads: ThreadStore
  streams: StreamRegistry
  personas: PersonaService
  sessions: SessionService
  config: Pick<AppConfig, 'session'>
}

type Chat = Awaited<ReturnType<ConversationService['chat']>>

const chatResult = ({ result, persona, thread, turnNumber, processingTime }: Chat) => ({
  response: result.text,
  response_type: result.responseType,
  // user chats have no continue score of their own (section 4 scores persona-to-persona talk)
  continue_score: 50,
  tokens_used: result.tokensUsed,
  processing_time: Math.round(processingTime * 1000) / 1000,
  persona_state: {
    social_energy: persona.state.socialEnergy,
    available_time: persona.state.availableTime,
    interaction_fatigue: persona.state.interactionFatigue,
  },
  persona_id: persona.id,
  conversation_id: thread.id,
  turn_number: turnNumber,
})

export function createChatMethods (deps: ConversationMethodDeps) {
  const { conversations, streams } = deps
  const ChatParams = Type.Object({
    message: Type.String({ minLength: 1, maxLength: deps.config.session.maxMessageChars, description: 'what the user says' }),
    token_budget: Type.Integer({ minimum: 1, maximum: 8192, default: 500, description: 'longest reply, in tokens' }),
  })
  const chat = (ctx: RpcContext, message: string, tokenBudget: number, extra: { signal?: AbortSignal, onChunk?: (c: string) => void } = {}) =>
    conversations.chat(ctx.connection.session, currentPersona(deps, ctx), { message, tokenBudget, signal: extra.signal ?? ctx.connection.signal, onChunk: extra.onChunk })

  return [
    defineMethod({
      name: 'persona.chat',
      description: 'Say something to the current persona and get its whole reply.',
      params: ChatParams,
      result: ChatResult,
      handler: async ({ message, token_budget }, ctx) => chatResult(await chat(ctx, message, token_budget)),
    }),
    defineMethod({
      name: 'persona.chat_stream',
      description: 'Like persona.chat, but the reply streams as `stream.event` notifications (stream_start, stream_chunk..., ' +
        'stream_complete, or stream_cancelled / stream_error) carrying this request\'s id, then the request gets one final response.',
      params: ChatParams,
      result: StreamResult,
      handler: async ({ message, token_budget }, ctx) => {
        const persona = currentPersona(deps, ctx)
        const stream = streams.open(ctx.connection.id, ctx.connection.signal)
        const frames = createStreamFrames(ctx, stream.id)
        let chunks = 0
        let length = 0
        const chunk = (text: string) => {
          length += text.length
          frames.event('stream_chunk', { chunk: text }, { chunk: text, chunk_number: ++chunks, total_length: length })
        }
        try {
          frames.event('stream_start', { persona_id: persona.id }, { persona_id: persona.id, persona_name: persona.name, message, token_budget })
          const result = chatResult(await chat(ctx, message, token_budget, { signal: stream.signal, onChunk: chunk }))
          if (chunks === 0 && result.response !== '') chunk(result.response)
          return frames.complete({ ...result, stream_id: stream.id, chunk_count: chunks }, {
            fullResponse: result.response, chunkCount: chunks, tokensUsed: result.tokens_used, processingTime: result.processing_time, data: { persona_name: persona.name },
          })
        } catch (err) {
          return frames.fail(err)
        } finally {
          stream.close()
        }
      },
    }),
    defineMethod({
      name: 'persona.chat_cancel',
      description: 'Stop a persona.chat_stream of this connection; its request then ends with a "cancelled" error.',
      params: Type.Object({ stream_id: Type.String({ minLength: 1, maxLength: 64 }) }),
      result: ChatCancelled,
      handler: ({ stream_id }, ctx) => {
        if (!streams.cancel(ctx.connection.id, stream_id)) {
          throw domainError(ErrorCode.NotFound, `No stream ${stream_id} under way on this connection`, { stream_id })
        }
        return { stream_id, cancelled: true as const }
      },
    }),
  ]
}

const historyOf = (thread: Thread, personaId: string, { messages, hasMore }: TranscriptPage) => ({
  conversation_id: thread.id,
  persona_id: personaId,
  messages: messages.map(transcriptEntry),
  total_turns: thread.turnCount,
  has_more: hasMore,
  summary: thread.summary,
})

export function createConversationMethods (deps: ConversationMethodDeps) {
  const { threads } = deps
  const threadPersona = (ctx: RpcContext, ref?: string) => personaOrCurrent(deps, ctx, ref)

  return [
    defineMethod({
      name: 'conversation.history',
      description: 'The transcript of this session\'s conversation with a persona (default: the current one), newest page first.',
      readOnly: true,
      params: Type.Object({
        persona_id: Type.Optional(PersonaRef),
        limit: Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'messages per page' }),
        before_turn: Type.Optional(Type.Integer({ minimum: 1, description: 'page back: only turns before this one' })),
      }),
      result: History,
      // synchronous when the thread and its newest page are in memory: answered in the same tick
      handler: ({ persona_id, limit, before_turn }, ctx) => {
        const persona = threadPersona(ctx, persona_id)
        const { session } = ctx.connection
        const cached = threads.cached(session.id, persona.id)
        const recent = cached && threads.recentPage(cached, limit, before_turn)
        if (cached && recent) return historyOf(cached, persona.id, recent)
        return (async () => {
          const thread = cached ?? await threads.find(session.id, persona.id)
          if (!thread) return { conversation_id: null, persona_id: persona.id, messages: [], total_turns: 0, has_more: false, summary: '' }
          return historyOf(thread, persona.id, await threads.page(thread, limit, before_turn))
        })()
      },
    }),
    defineMethod({
      name: 'conversation.clear',
      destructive: true,
      idempotent: true,
      description: 'Forget this session\'s conversation with a persona (default: the current one): transcript and summary.',
      params: Type.Object({ persona_id: Type.Optional(PersonaRef) }),
      result: ThreadCleared,
      handler: async ({ persona_id }, ctx) => {
        const persona = threadPersona(ctx, persona_id)
        // after the turn under way in this thread, if any: a clear never meets a half-written turn
        const { conversationId, removed } = await deps.conversations.clear(ctx.connection.session.id, persona.id)
        return { conversation_id: conversationId, cleared: true as const, messages_removed: removed }
      },
    }),
  ]
}
