// Every repository port the domain declares, in one place: what one database implementation provides.
// The ports themselves live with their domains (src/<domain>/repository.ts), so the domain never imports
// the store and the folders stay acyclic (store -> domain, never back). A second database is one more
// folder beside sqlite/ with its own createXRepositories(), chosen in openStore().
import type { PersonaRepository } from '../personas/repository.ts'
import type { ApiKeyRepository } from '../auth/repository.ts'
import type { SessionRepository } from '../sessions/repository.ts'
import type { ConversationRepository } from '../conversation/repository.ts'
import type { EmotionRepository, RelationshipRepository } from '../relationships/repository.ts'
import type { CardRepository } from '../cards/repository.ts'
import type { PersonaBundleRepository } from '../cards/bundle-repository.ts'
import type { UserDataRepository } from '../users/repository.ts'
import type { StoredCounts, StoreHealth } from '../system/repository.ts'
import type { MemoryMaintenanceRepository, MemoryRepository, MemorySettingsRepository, MemoryStatsRepository } from '../memory/repository.ts'
import type { VectorSource } from './vector/source.ts'
import type { McpSessionRepository, McpTaskRepository } from '../mcp/repository.ts'

export interface Repositories {
  memories: MemoryRepository
  memoryStats: MemoryStatsRepository
  memorySettings: MemorySettingsRepository
  memoryMaintenance: MemoryMaintenanceRepository
  personas: PersonaRepository
  sessions: SessionRepository
  conversations: ConversationRepository
  relationships: RelationshipRepository
  emotions: EmotionRepository
  apiKeys: ApiKeyRepository
  health: StoreHealth
  storedCounts: StoredCounts
  /** the card columns of personas */
  cards: CardRepository
  /** one user's rows about one persona (persona bundles) */
  bundles: PersonaBundleRepository
  /** a user's rows in every table (export, erase) */
  userData: UserDataRepository
  /** the memories as the vector index reads them (and what it holds) */
  vectorSource: VectorSource
  /** MCP Streamable HTTP sessions, so another instance can serve them */
  mcpSessions: McpSessionRepository
  /** the tasks of those sessions (each goes with its session), so any instance answers their polls */
  mcpTasks: McpTaskRepository
}
