import type { AppConfig } from '../config/index.ts'
import type { LlmProvider } from '../llm/types.ts'
import { replyTokenBudget } from '../personas/state.ts'
import type { PersonaService } from '../personas/service.ts'
import type { Persona } from '../personas/types.ts'
import type { RpcLogger } from '../rpc/context.ts'
import type { SessionService } from '../sessions/service.ts'
import type { SessionState } from '../rpc/caller.ts'
import type { InFlight } from '../transport/in-flight.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import { createKeyedLock } from '../util/keyed-lock.ts'
import { createChatTracker, type RunningChat } from './chat-tracker.ts'
import { buildMessages } from './prompt.ts'
import { foldIntoSummary } from './summary.ts'
import type { Thread, ThreadStore } from './threads.ts'

/** Adds a paragraph to the system prompt (memories, feelings about the user, mood); later services plug in. */
export type PromptSection = (turn: PromptContext) => Promise<string | undefined>

export interface PromptContext {
  persona: Persona
  userId: string
  message: string
  conversationId: string
  /** turns from this one on are already in the prompt's transcript */
  firstTurnInPrompt: number
}
/** The line a persona opens a new conversation with (a card's greeting), if it has one. */
export type Opening = (persona: Persona, conversationId: string) => Promise<string | undefined>
/** Runs after a turn is stored (memory, relationships); failures are logged, the turn stands. */
export type TurnListener = (turn: CompletedTurn) => Promise<void>

export interface CompletedTurn {
  persona: Persona
  session: SessionState
  thread: Thread
  turnNumber: number
  message: string
  reply: string
  responseType: 'direct' | 'fallback'
}

export interface ChatOptions {
  message: string
  tokenBudget: number
  signal?: AbortSignal
  onChunk?: (chunk: string) => void
}

export interface ConversationServiceDeps {
  threads: ThreadStore
  llm: LlmProvider
  personas: PersonaService
  sessions: SessionService
  config: Pick<AppConfig, 'session' | 'personas'>
  background: InFlight
  log: RpcLogger
}

export function createConversationService (deps: ConversationServiceDeps) {
  const { threads, llm, personas, sessions, config, background, log } = deps
  // one lock per thread (session and persona): turns, clears and deletes of a thread take their turn
  const withLock = createKeyedLock()
  const running = createChatTracker()
  const sections: PromptSection[] = []
  const listeners: TurnListener[] = []
  const openings: Opening[] = []

  const folding = new Set<string>()

  /**
   * Past the threshold, everything but the last window of messages is folded into the summary.
   * It runs beside the conversation, not in its lock: the next turn need not wait for the summary,
   * and the prompt stays bounded meanwhile because it only ever carries the last window.
   */
  async function maybeFold (thread: Thread, persona: Persona): Promise<void> {
    const unsummarized = (thread.turnCount - thread.summarizedTurn) * 2
    if (unsummarized <= config.session.summaryThreshold || folding.has(thread.id)) return
    folding.add(thread.id)
    try {
      await fold(thread, persona)
    } finally {
      folding.delete(thread.id)
    }
  }

  async function fold (thread: Thread, persona: Persona): Promise<void> {
    const keepTurns = Math.ceil(config.session.maxContextMessages / 2)
    const through = thread.turnCount - keepTurns
    const { epoch } = thread
    const messages = await threads.turns(thread.id, thread.summarizedTurn, through)
    const summary = await foldIntoSummary(llm, thread.summary, messages, persona.name)
    await threads.saveSummary(thread, summary, through, epoch)
    log.debug({ conversation: thread.id, through }, 'conversation folded into its summary')
  }

  /** A new (or cleared) thread begins with the persona's opening line, when one is registered for it. */
  async function openWith (thread: Thread, persona: Persona): Promise<void> {
    for (const opening of openings) {
      const text = await opening(persona, thread.id)
      if (text !== undefined && text.trim() !== '') return threads.appendOpening(thread, persona.id, text)
    }
  }

  /** The turn itself, in the thread's lock. */
  async function takeTurn (session: SessionState, persona: Persona, options: ChatOptions, run: RunningChat) {
    await sessions.persist(session)
    const started = performance.now()
    return withLock(threads.key(session.id, persona.id), async () => {
      run.check()
      // opened inside the lock: the thread a turn sees is the one the turn before it wrote
      const thread = await threads.open(session.id, session.userId, persona.id)
      if (thread.messageCount === 0) await openWith(thread, persona)
      const context: PromptContext = {
        persona,
        userId: session.userId,
        message: options.message,
        conversationId: thread.id,
        firstTurnInPrompt: thread.turnCount - Math.ceil(config.session.maxContextMessages / 2) + 1,
      }
      const extra = await Promise.all(sections.map((section) => section(context)))
      // state colours the answer: said in character (first of the moment's sections) and a shorter reply
      const condition = personas.condition(persona)
      const result = await llm.generate({
        messages: buildMessages({
          persona,
          sections: [condition.note, ...extra].filter((s): s is string => Boolean(s)),
          summary: thread.summary,
          recent: thread.recent,
          message: options.message,
        }),
        maxTokens: replyTokenBudget(options.tokenBudget, condition),
        signal: run.signal,
        onChunk: options.onChunk,
        fallback: { personaName: persona.name, priority: persona.state.currentPriority, socialEnergy: persona.state.socialEnergy },
      })
      // nothing is written for a chat stopped meanwhile (no await between this check and the write)
      run.check()
      const processingTime = (performance.now() - started) / 1000
      const turnNumber = await threads.appendTurn(thread, {
        user: options.message,
        reply: result.text,
        tokens: result.tokensUsed,
        processingTime,
        responseType: result.responseType,
        speakerId: persona.id,
        userId: session.userId,
      })
      const seconds = Math.max(config.personas.chatTurnSeconds, processingTime)
      const after = await personas.chargeUserChat(persona.id, seconds)
      const turn: CompletedTurn = { persona: after, session, thread, turnNumber, message: options.message, reply: result.text, responseType: result.responseType }
      for (const listener of listeners) {
        await listener(turn).catch((err: unknown) => { log.error({ err, conversation: thread.id }, 'turn listener failed') })
      }
      void background.track(maybeFold(thread, after))
        .catch((err: unknown) => { log.error({ err, conversation: thread.id }, 'summarising the conversation failed') })
      return { result, thread, turnNumber, persona: after, processingTime, llmMs: result.llmMs }
    })
  }

  return {
    threads,
    /**
     * A section that fails (the embedder behind memory recall is down, say) leaves its paragraph out:
     * the persona still answers, from what the other sections give.
     */
    addPromptSection (section: PromptSection): void {
      sections.push((turn) => section(turn).catch((err: unknown) => {
        log.warn({ err, persona: turn.persona.id }, 'a prompt section failed; the turn goes on without it')
        return undefined
      }))
    },
    /** the sections every persona prompt carries (persona-to-persona turns use them too) */
    promptSections: (): PromptSection[] => sections,
    onTurn (listener: TurnListener): void { listeners.push(listener) },
    /** the first opening that has a line for a persona begins its new conversations */
    addOpening (opening: Opening): void { openings.push(opening) },

    /** One turn: the persona answers the user in its session's thread (refused only where refuseWhenExhausted is on). */
    async chat (session: SessionState, persona: Persona, options: ChatOptions) {
      await running.admit(persona.id)
      personas.admitUser(persona.id)
      const run = running.begin(persona.id, session.id, options.signal)
      try {
        return await takeTurn(session, persona, options, run)
      } catch (err) {
        // a chat stopped by a delete ends with the delete's error, whatever the model call made of the abort
        throw run.stoppedWith ?? err
      } finally {
        running.end(run)
      }
    },

    /** Empties this session's thread with a persona, after any turn under way in it. */
    clear (sessionId: string, personaId: string): Promise<{ conversationId: string | null, removed: number }> {
      return withLock(threads.key(sessionId, personaId), async () => {
        const thread = await threads.find(sessionId, personaId)
        return thread ? { conversationId: thread.id, removed: await threads.clear(thread) } : { conversationId: null, removed: 0 }
      })
    },

    /** whether a chat is under way in the session (expiry leaves it for the next round) */
    busy: (sessionId: string): boolean => running.busy(sessionId),

    /**
     * Before a persona is deleted: its chats under way are cancelled and waited for, new ones wait;
     * the returned release lets them go on (to find the persona gone).
     */
    async stopPersona (persona: Persona): Promise<() => void> {
      const reason = domainError(ErrorCode.Cancelled, `Persona ${persona.name} was deleted`, { persona_id: persona.id, detail: 'persona deleted' })
      const release = await running.stopPersona(persona.id, reason)
      return () => { threads.forgetPersona(persona.id); release() }
    },
  }
}

export type ConversationService = ReturnType<typeof createConversationService>
