// Set-up the store contract tests (test/store/contract-*.test.ts) share: fixed times, the session and
// conversation ports together, a user turn, a memory to insert, a store opened with personas in it.
import type { Test } from 'tap'
import type { ConversationRepository, StoredMessage } from '../../src/conversation/repository.ts'
import type { NewMemory } from '../../src/memory/repository.ts'
import type { SessionRepository } from '../../src/sessions/repository.ts'
import { createPostgresConversationRepository } from '../../src/store/postgres/conversations.ts'
import { createPostgresSessionRepository } from '../../src/store/postgres/sessions.ts'
import { createSqliteConversationRepository } from '../../src/store/sqlite/conversations.ts'
import { createSqliteSessionRepository } from '../../src/store/sqlite/sessions.ts'
import type { OpenedStore, RepositoryFactories, StoreUnderTest } from './both-stores.ts'

/** minutes into 2030 (UTC), each with these milliseconds: a time a store rounds or shifts shows */
export const minutesWith = (ms: number) => (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute, 0, ms))

/** a store opened with these personas in it (what sessions, conversations and relationships point at) */
export async function openWithPersonas<R> (t: Test, store: StoreUnderTest<R>, ids: string[]): Promise<OpenedStore<R>> {
  const opened = await store.open(t)
  for (const id of ids) await opened.addPersona(id)
  return opened
}

/** sessions and the conversations that hang on them */
export interface ConversationPorts { sessions: SessionRepository, conversations: ConversationRepository }

export const conversationPorts: RepositoryFactories<ConversationPorts> = {
  sqlite: (db) => ({ sessions: createSqliteSessionRepository(db), conversations: createSqliteConversationRepository(db) }),
  postgres: (db) => ({ sessions: createPostgresSessionRepository(db), conversations: createPostgresConversationRepository(db) }),
}

/** alice's turn `n` with aria: her line and aria's answer (2 tokens) */
export const userTurn = (n: number, time: Date): StoredMessage[] => [
  { turnNumber: n, role: 'user', speakerId: 'alice', content: `u${n}`, tokens: 0, processingTime: 0, responseType: null, createdAt: time },
  { turnNumber: n, role: 'persona', speakerId: 'aria', content: `p${n}`, tokens: 2, processingTime: 0.5, responseType: 'direct', createdAt: time },
]

/** a private memory aria keeps of alice */
export const newMemory = (patch: Partial<NewMemory> = {}): NewMemory => ({
  personaId: 'aria', userId: 'alice', content: 'c', memoryType: 'user_input', importance: 0.5, emotionalValence: 0,
  visibility: 'private', relatedPersonas: [], metadata: {}, embedding: new Float32Array([1]), embeddingModel: 'e', ...patch,
})
