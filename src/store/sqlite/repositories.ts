import type { Repositories } from '../repositories.ts'
import type { SqliteDatabase } from './database.ts'
import { createSqliteMemoryRepository } from './memories.ts'
import { createSqliteMemoryMaintenanceRepository } from './memories-maintenance.ts'
import { createSqliteMemorySettingsRepository } from './memories-settings.ts'
import { createSqliteMemoryStatsRepository } from './memories-stats.ts'
import { createSqlitePersonaRepository } from './personas.ts'
import { createSqliteApiKeyRepository } from './api-keys.ts'
import { createSqliteSessionRepository } from './sessions.ts'
import { createSqliteConversationRepository } from './conversations.ts'
import { createSqliteEmotionRepository } from './emotions.ts'
import { createSqliteRelationshipRepository } from './relationships.ts'
import { createSqliteCardRepository } from './cards.ts'
import { createSqliteBundleRepository } from './bundles.ts'
import { createSqliteUserDataRepository } from './users.ts'
import { createSqliteStoredCounts, createSqliteStoreHealth } from './system.ts'
import { createSqliteVectorSource } from './vector-source.ts'
import { createSqliteMcpSessionRepository } from './mcp-sessions.ts'
import { createSqliteMcpTaskRepository } from './mcp-tasks.ts'

/** The SQLite implementation of every repository port, on one open database. */
export function createSqliteRepositories (db: SqliteDatabase): Repositories {
  void db
  return {
    memories: createSqliteMemoryRepository(db),
    memoryStats: createSqliteMemoryStatsRepository(db),
    memorySettings: createSqliteMemorySettingsRepository(db),
    memoryMaintenance: createSqliteMemoryMaintenanceRepository(db),
    personas: createSqlitePersonaRepository(db),
    sessions: createSqliteSessionRepository(db),
    conversations: createSqliteConversationRepository(db),
    relationships: createSqliteRelationshipRepository(db),
    emotions: createSqliteEmotionRepository(db),
    apiKeys: createSqliteApiKeyRepository(db),
    health: createSqliteStoreHealth(db),
    storedCounts: createSqliteStoredCounts(db),
    cards: createSqliteCardRepository(db),
    bundles: createSqliteBundleRepository(db),
    userData: createSqliteUserDataRepository(db),
    vectorSource: createSqliteVectorSource(db),
    mcpSessions: createSqliteMcpSessionRepository(db),
    mcpTasks: createSqliteMcpTaskRepository(db),
  }
}
