import type { Repositories } from '../repositories.ts'
import type { PostgresDatabase } from './database.ts'
import { createPostgresRelationshipRepository } from './relationships.ts'
import { createPostgresEmotionRepository } from './emotions.ts'
import { createPostgresApiKeyRepository } from './api-keys.ts'
import { createPostgresPersonaRepository } from './personas.ts'
import { createPostgresCardRepository } from './cards.ts'
import { createPostgresBundleRepository } from './bundles.ts'
import { createPostgresUserDataRepository } from './users.ts'
import { createPostgresStoredCounts, createPostgresStoreHealth } from './system.ts'
import { createPostgresSessionRepository } from './sessions.ts'
import { createPostgresConversationRepository } from './conversations.ts'
import { createPostgresMemoryRepository } from './memories.ts'
import { createPostgresMemoryStatsRepository } from './memories-stats.ts'
import { createPostgresMemorySettingsRepository } from './memories-settings.ts'
import { createPostgresMemoryMaintenanceRepository } from './memories-maintenance.ts'
import { createPostgresVectorSource } from './vector-source.ts'
import { createPostgresMcpSessionRepository } from './mcp-sessions.ts'
import { createPostgresMcpTaskRepository } from './mcp-tasks.ts'

/** The PostgreSQL implementation of every repository port, on one open database. */
export function createPostgresRepositories (db: PostgresDatabase): Repositories {
  return {
    memories: createPostgresMemoryRepository(db),
    memoryStats: createPostgresMemoryStatsRepository(db),
    memorySettings: createPostgresMemorySettingsRepository(db),
    memoryMaintenance: createPostgresMemoryMaintenanceRepository(db),
    personas: createPostgresPersonaRepository(db),
    cards: createPostgresCardRepository(db),
    bundles: createPostgresBundleRepository(db),
    userData: createPostgresUserDataRepository(db),
    sessions: createPostgresSessionRepository(db),
    conversations: createPostgresConversationRepository(db),
    relationships: createPostgresRelationshipRepository(db),
    emotions: createPostgresEmotionRepository(db),
    apiKeys: createPostgresApiKeyRepository(db),
    health: createPostgresStoreHealth(db),
    storedCounts: createPostgresStoredCounts(db),
    vectorSource: createPostgresVectorSource(db),
    mcpSessions: createPostgresMcpSessionRepository(db),
    mcpTasks: createPostgresMcpTaskRepository(db),
  }
}
