// What conversations need from a database, named by use: user threads (one per session and persona),
// persona-to-persona conversations, their messages, and the operator's views of all of them.
// Implementations live in src/store/<database>/ (threads.ts, persona-conversations.ts, conversations.ts).

export type ConversationKind = 'user' | 'persona'

/** A stored conversation of either kind. */
export interface StoredConversation {
  id: string
  kind: ConversationKind
  sessionId: string | null
  userId: string | null
  /** the persona of a user thread, or the first participant */
  personaId: string
  /** the second participant of a persona-to-persona conversation */
  otherPersonaId: string | null
  topic: string | null
  tokenBudget: number | null
  tokensUsed: number
  continueScore: number
  turnCount: number
  durationSeconds: number
  summary: string
  /** turns up to this one are folded into `summary` */
  summarizedTurn: number
  status: string
  endReason: string | null
  startedAt: Date
  lastActivityAt: Date
  endedAt: Date | null
}

export interface StoredMessage {
  turnNumber: number
  /** 'user' | 'persona' */
  role: string
  /** persona id or user id */
  speakerId: string | null
  content: string
  tokens: number
  processingTime: number
  responseType: string | null
  createdAt: Date
}

/** The user threads: read and written on every chat turn, so implementations keep these cheap. */
export interface ThreadRepository {
  /** The session's thread with the persona, created if new. */
  openThread (sessionId: string, userId: string, personaId: string, at: Date): Promise<StoredConversation>
  findThread (sessionId: string, personaId: string): Promise<StoredConversation | undefined>
  findConversation (id: string): Promise<StoredConversation | undefined>
  /** The newest `count` messages before turn `beforeTurn` (all turns when absent), oldest first. */
  latestMessages (conversationId: string, count: number, beforeTurn?: number): Promise<StoredMessage[]>
  countMessages (conversationId: string): Promise<number>
  /** Messages of turns after `afterTurn` up to and including `throughTurn`, oldest first. */
  messagesBetween (conversationId: string, afterTurn: number, throughTurn: number): Promise<StoredMessage[]>
  /** A user turn: its messages and the thread's new turn count, added tokens and activity time, all or nothing. */
  appendTurn (conversationId: string, messages: StoredMessage[], totals: { turnCount: number, tokens: number, at: Date }): Promise<void>
  /** A message before the first turn (a greeting): stored as it is, the thread's counters untouched. */
  appendOpening (conversationId: string, message: StoredMessage): Promise<void>
  /** Saves the summary (a thread deleted meanwhile: nothing happens). */
  saveSummary (conversationId: string, summary: string, summarizedTurn: number): Promise<void>
  /** Deletes the thread's messages and resets its counters and summary; how many messages went. */
  clearThread (conversationId: string): Promise<number>
}

export interface NewPersonaConversation {
  persona1Id: string
  persona2Id: string
  userId: string
  topic: string
  tokenBudget: number
}

export interface PersonaTurnUpdate {
  at: Date
  turnCount: number
  tokens: number
  seconds: number
  continueScore: number
}

export interface PersonaConversationRepository {
  createPersonaConversation (input: NewPersonaConversation, at: Date): Promise<StoredConversation>
  /** One persona's line and the conversation's counters, all or nothing. */
  appendPersonaTurn (conversationId: string, message: StoredMessage, update: PersonaTurnUpdate): Promise<void>
  endPersonaConversation (conversationId: string, reason: string, at: Date): Promise<void>
  /** ids of the active ones, of one user or (undefined) everyone's */
  activePersonaConversationIds (userId?: string): Promise<string[]>
  /** ids of the newest ones a user ran (null: every user's) */
  recentPersonaConversationIds (userId: string | null, limit: number): Promise<string[]>
  /** topics of a persona's newest ones, newest first, without repeats (userId null: every user's) */
  recentPersonaTopics (personaId: string, userId: string | null, limit: number): Promise<string[]>
}

export interface ConversationListFilter {
  kind?: ConversationKind
  /** either participant */
  personaId?: string
  userId?: string
  sessionId?: string
  limit: number
  offset: number
}

/** The operator's views (admin API): not hot. */
export interface ConversationAdminRepository {
  /** most recently active first */
  listConversations (filter: ConversationListFilter): Promise<{ items: StoredConversation[], total: number }>
  /** a transcript page, oldest first */
  messagePage (conversationId: string, page: { limit: number, offset: number }): Promise<{ items: StoredMessage[], total: number }>
  /** Deletes the conversation with its messages; how many messages went. */
  deleteConversation (conversationId: string): Promise<number>
}

export interface ConversationRepository extends ThreadRepository, PersonaConversationRepository, ConversationAdminRepository {}
