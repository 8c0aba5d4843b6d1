import type { Repositories } from '../repositories.ts'
import type { PostgresDatabase } from './database.ts'
import { createPostgresRelationshipRepository } from './relationships.ts'
import { createPostgresEmotionRepository } from './emotions.ts'
import { createPostgresApiKeyRepository } from './api-keys.ts'
import { createPostgresPersonaRepository } from './personas.ts'
import { createPostgresCardRepository } from './cards.ts'
import { createPostgresUserDataRepository } from './users.ts'
import { createPostgresStoredCounts, createPostgresStoreHealth } from './system.ts'
import { createPostgresSessionRepository } from './sessions.ts'
import { createPostgresConversationRepository } from './conversations.ts'
import { createPostgresMemoryRepository } from './memories.ts'
import { createPostgresMemoryStatsRepository } from './memories-stats.ts'
import { createPostgresMemorySettingsRepository } from './memories-settings.ts'
import { createPostgresVectorSource } from './vector-source.ts'

// A port not yet implemented on PostgreSQL: any use throws, naming it (issue 14 replaces these one by one)
function pending (port: string): never {
  return new Proxy({}, {
    get (_target, key) {
      if (key === 'then') return undefined // not a thenable: returning it from an async function must not throw
      throw new Error(`not yet implemented on PostgreSQL: ${port}`)
    },
  }) as never
}

/** The PostgreSQL implementation of every repository port, on one open database. */
export function createPostgresRepositories (db: PostgresDatabase): Repositories {
  void db
  return {
    memories: createPostgresMemoryRepository(db),
    memoryStats: createPostgresMemoryStatsRepository(db),
    memorySettings: createPostgresMemorySettingsRepository(db),
    memoryMaintenance: pending('memoryMaintenance'),
    personas: createPostgresPersonaRepository(db),
    cards: createPostgresCardRepository(db),
    userData: createPostgresUserDataRepository(db),
    sessions: createPostgresSessionRepository(db),
    conversations: createPostgresConversationRepository(db),
    relationships: createPostgresRelationshipRepository(db),
    emotions: createPostgresEmotionRepository(db),
    apiKeys: createPostgresApiKeyRepository(db),
    health: createPostgresStoreHealth(db),
    storedCounts: createPostgresStoredCounts(db),
    vectorSource: createPostgresVectorSource(db),
  }
}
