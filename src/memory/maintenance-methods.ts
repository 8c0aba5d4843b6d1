import { Type } from '@sinclair/typebox'
import { personaOrCurrent } from '../personas/methods.ts'
import { PersonaRef } from '../personas/schemas.ts'
import type { PersonaService } from '../personas/service.ts'
import type { RpcContext } from '../rpc/context.ts'
import { defineMethod } from '../rpc/method.ts'
import type { SessionService } from '../sessions/service.ts'
import type { MaintenanceHistory } from './maintenance-history.ts'
import {
  DecayForceParams, DecayForceResult, DecayStarted, DecayStatistics, DecayStopped, GlobalPruneResult, PruneParams, PruneRecommendationView,
  PruneResult, PruneRunId, PruneStatistics, RestoreResult, SettingsChanged,
} from './maintenance-schemas.ts'
import type { MemoryMaintenance } from './maintenance.ts'
import { patchParams, toCamelKeys, toSnakeKeys } from './schemas.ts'
import type { MemorySettings, TunableSection } from './settings.ts'
import { statsViewer } from './stats.ts'

export interface MaintenanceMethodDeps {
  maintenance: MemoryMaintenance
  history: MaintenanceHistory
  settings: MemorySettings
  personas: PersonaService
  sessions: SessionService
}

/** Pruning, decay and their settings: operator functions over every user's memories (admin scope). */
export function createMaintenanceMethods (deps: MaintenanceMethodDeps) {
  const { maintenance, history, settings, personas } = deps
  const target = (ctx: RpcContext, ref?: string) => personaOrCurrent(deps, ctx, ref)

  const setter = (name: string, section: TunableSection, description: string) => defineMethod({
    name,
    description,
    scope: 'admin',
    idempotent: true,
    params: patchParams(section),
    result: SettingsChanged(section),
    handler: async (patch) => ({ success: true as const, config: toSnakeKeys(await settings.update(section, toCamelKeys(patch))) }),
  })

  return [
    defineMethod({
      name: 'memory.prune',
      destructive: true,
      // without force it removes only what is over the limits, as the scheduler does by itself
      destructiveWhen: (args) => args.force === true,
      description: 'Prune a persona\'s least important memories (soft: memory.restore with the prune_run_id brings them back until purged).',
      scope: 'admin',
      params: PruneParams,
      result: PruneResult,
      handler: ({ persona_id, force }, ctx) => maintenance.prune(target(ctx, persona_id).id, force, 'manual'),
    }),
    defineMethod({
      name: 'memory.prune_all',
      destructive: true,
      description: 'Prune every persona that is over its memory limit.',
      scope: 'admin',
      params: Type.Object({}),
      result: GlobalPruneResult,
      handler: () => maintenance.pruneAll(),
    }),
    defineMethod({
      name: 'memory.prune_recommendations',
      description: 'What pruning a persona (default: the current one) would do now, counting the memories you may see (admin keys: all).',
      readOnly: true,
      params: Type.Object({ persona_id: Type.Optional(PersonaRef) }),
      result: PruneRecommendationView,
      handler: ({ persona_id }, ctx) => maintenance.recommendations(target(ctx, persona_id).id, statsViewer(ctx.connection.user)),
    }),
    defineMethod({
      name: 'memory.prune_stats',
      description: 'History of prune runs, with the ids memory.restore takes.',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Object({ pruning_statistics: PruneStatistics }),
      handler: async () => ({ pruning_statistics: await history.pruneStatistics() }),
    }),
    defineMethod({
      name: 'memory.restore',
      idempotent: true,
      description: 'Undo a prune run exactly: its memories come back as they were.',
      scope: 'admin',
      params: Type.Object({ prune_run_id: PruneRunId }),
      result: RestoreResult,
      handler: ({ prune_run_id }) => maintenance.restore(prune_run_id),
    }),
    defineMethod({
      name: 'memory.decay_start',
      idempotent: true,
      description: 'Turn background decay on (persisted).',
      scope: 'admin',
      params: Type.Object({}),
      result: DecayStarted,
      handler: async () => {
        await settings.update('decay', { enabled: true })
        return { status: 'background_decay_started' as const, ...history.decaySchedule() }
      },
    }),
    defineMethod({
      name: 'memory.decay_stop',
      idempotent: true,
      description: 'Turn background decay off (persisted).',
      scope: 'admin',
      params: Type.Object({}),
      result: DecayStopped,
      handler: async () => { await settings.update('decay', { enabled: false }); return { status: 'background_decay_stopped' as const } },
    }),
    defineMethod({
      name: 'memory.decay_stats',
      description: 'Decay cycles so far and the decay settings.',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Object({ decay_statistics: DecayStatistics }),
      handler: async () => ({ decay_statistics: await history.decayStatistics() }),
    }),
    defineMethod({
      name: 'memory.decay_force',
      description: 'Run decay now for one persona (or all when none is given or selected), optionally with another rate.',
      scope: 'admin',
      params: DecayForceParams,
      result: DecayForceResult,
      handler: async ({ persona_id, decay_factor }, ctx) => {
        const ref = persona_id ?? ctx.connection.session.personaId ?? undefined
        const persona = ref === undefined ? undefined : personas.get(ref)
        const run = await maintenance.decay('force', persona?.id ?? null, decay_factor)
        if (persona) {
          return { status: 'persona_decay_completed' as const, persona_id: persona.id, decay_factor: run.rate, memories_processed: run.memoriesProcessed, memories_decayed: run.memoriesDecayed }
        }
        return { status: 'global_decay_cycle_completed' as const, personas_processed: run.personasProcessed, memories_decayed: run.memoriesDecayed, auto_prunes_triggered: run.autoPrunes, processing_time: run.processingTime }
      },
    }),
    setter('memory.set_importance_weights', 'scoring', 'Change the importance-scoring weights (content, engagement, persona, recency); persisted.'),
    setter('memory.set_decay_config', 'decay', 'Change decay settings (enabled, mode, rate, interval_hours, floor, ...); validated and persisted.'),
    setter('memory.set_pruning_config', 'pruning', 'Change pruning settings (max_memories, target_count, importance_threshold, ...); validated and persisted.'),
    setter('memory.set_retrieval_weights', 'retrieval', 'Change the search ranking weights (similarity, importance, recency) and prompt memories; persisted.'),
  ]
}
