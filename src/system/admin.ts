import type { PersonaService } from '../personas/service.ts'
import type { HealthChecks } from './health.ts'
import type { RuntimeStats } from './stats.ts'
import { serverStatus } from './status.ts'

export interface SystemAdminDeps<V extends object> {
  runtime: RuntimeStats
  health: HealthChecks
  personas: PersonaService
  sessions: { activeCount (): number }
  memory: { embedderId: string, indexStatus (): V }
}

/** /admin/v1/system/status: system.status without a connection of its own, plus what operators watch. */
export async function adminSystemStatus<V extends object> ({ runtime, health, personas, sessions, memory }: SystemAdminDeps<V>) {
  return {
    ...await serverStatus({ stats: runtime, health, personas }),
    connections_total: runtime.connectionsTotal,
    attached_sessions: sessions.activeCount(),
    memory: { embedder: memory.embedderId, vector_index: { ...memory.indexStatus() } },
    memory_rss_bytes: process.memoryUsage.rss(),
  }
}
