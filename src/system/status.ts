import type { PersonaService } from '../personas/service.ts'
import { SERVER_VERSION } from '../version.ts'
import type { HealthChecks } from './health.ts'
import type { RuntimeStats } from './stats.ts'

export interface StatusSources {
  stats: RuntimeStats
  health: HealthChecks
  personas: PersonaService
}

/** The server as a whole: what system.status and the admin API's status route both report. */
export async function serverStatus ({ stats, health, personas }: StatusSources) {
  const { ready, components } = await health.report()
  const list = personas.list()
  return {
    system_status: ready ? 'operational' as const : 'degraded' as const,
    version: SERVER_VERSION,
    uptime_seconds: Math.round(stats.uptimeSeconds() * 1000) / 1000,
    connections: stats.connections,
    requests_total: stats.requests,
    llm_available: components.llm?.status === 'up',
    total_personas: list.length,
    available_personas: list.filter((p) => personas.isAvailable(p)).length,
    active_conversations: stats.activeConversations(),
    components,
    timestamp: new Date().toISOString(),
  }
}
