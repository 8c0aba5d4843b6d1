import { Type } from '@sinclair/typebox'
import type { PrismaClient } from '../generated/prisma/client.ts'
import { personaOrCurrent } from '../personas/methods.ts'
import { PersonaRef } from '../personas/schemas.ts'
import type { PersonaService } from '../personas/service.ts'
import type { RpcContext } from '../rpc/context.ts'
import { defineMethod } from '../rpc/method.ts'
import type { SessionService } from '../sessions/service.ts'
import type { MemoryMaintenance } from './maintenance.ts'
import { patchParams, toCamelKeys, toSnakeKeys } from './schemas.ts'
import type { MemorySettings, TunableSection } from './settings.ts'
import { statsViewer } from './stats.ts'

export interface MaintenanceMethodDeps {
  maintenance: MemoryMaintenance
  settings: MemorySettings
  prisma: PrismaClient
  personas: PersonaService
  sessions: SessionService
}

const Open = Type.Record(Type.String(), Type.Unknown())
const OptionalPersona = Type.Object({ persona_id: Type.Optional(PersonaRef) })
const iso = (d: Date | null) => (d === null ? null : d.toISOString())

/** The earlier memory.prune result, the same whether or not anything was pruned, plus our run id for memory.restore. */
const PruneResult = Type.Object({
  status: Type.Union([Type.Literal('pruning_completed'), Type.Literal('no_pruning_needed')]),
  persona_id: Type.String(),
  prune_run_id: Type.Union([Type.String(), Type.Null()], { description: 'null when nothing was pruned' }),
  memories_before: Type.Integer(),
  memories_pruned: Type.Integer(),
  memories_after: Type.Integer(),
  processing_time: Type.Number({ description: 'seconds' }),
  average_importance_pruned: Type.Number(),
  average_importance_kept: Type.Number(),
  current_memory_count: Type.Optional(Type.Integer()),
  message: Type.Optional(Type.String()),
})

/** Pruning, decay and their settings: operator functions over every user's memories (admin scope). */
export function createMaintenanceMethods (deps: MaintenanceMethodDeps) {
  const { maintenance, settings, prisma, personas } = deps
  const target = (ctx: RpcContext, ref?: string) => personaOrCurrent(deps, ctx, ref)

  const setter = (name: string, section: TunableSection, description: string) => defineMethod({
    name,
    description,
    scope: 'admin',
    idempotent: true,
    params: patchParams(section),
    result: Type.Object({ success: Type.Literal(true), config: Open }),
    handler: async (patch) => ({ success: true as const, config: toSnakeKeys(await settings.update(section, toCamelKeys(patch))) }),
  })

  const decayStatus = (running: boolean) => {
    const d = settings.current.decay
    return { status: running ? 'background_decay_started' : 'background_decay_stopped', interval_hours: d.intervalHours, mode: d.mode, auto_pruning: d.autoPrune }
  }

  return [
    defineMethod({
      name: 'memory.prune',
      destructive: true,
      // without force it removes only what is over the limits, as the scheduler does by itself
      destructiveWhen: (args) => args.force === true,
      description: 'Prune a persona\'s least important memories (soft: memory.restore with the prune_run_id brings them back until purged).',
      scope: 'admin',
      params: Type.Object({ persona_id: Type.Optional(PersonaRef), force: Type.Boolean({ default: false, description: 'prune below the maximum too (never past the threshold, protections or target)' }) }),
      result: PruneResult,
      handler: ({ persona_id, force }, ctx) => maintenance.prune(target(ctx, persona_id).id, force, 'manual'),
    }),
    defineMethod({
      name: 'memory.prune_all',
      destructive: true,
      description: 'Prune every persona that is over its memory limit.',
      scope: 'admin',
      params: Type.Object({}),
      result: Open,
      handler: () => maintenance.pruneAll(),
    }),
    defineMethod({
      name: 'memory.prune_recommendations',
      description: 'What pruning a persona (default: the current one) would do now, counting the memories you may see (admin keys: all).',
      readOnly: true,
      params: OptionalPersona,
      result: Type.Object({ persona_id: Type.String(), recommendations: Open }),
      handler: ({ persona_id }, ctx) => {
        const { recommendations, ...rest } = maintenance.recommendations(target(ctx, persona_id).id, statsViewer(ctx.connection.user))
        return { ...rest, recommendations: { ...recommendations } }
      },
    }),
    defineMethod({
      name: 'memory.prune_stats',
      description: 'History of prune runs, with the ids memory.restore takes.',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Object({ pruning_statistics: Open }),
      handler: async () => {
        const runs = await prisma.pruneRun.findMany({ orderBy: { createdAt: 'desc' } })
        if (runs.length === 0) return { pruning_statistics: { message: 'No pruning operations yet' } }
        const lastByPersona: Record<string, string> = {}
        for (const run of runs) if (run.personaId && !(run.personaId in lastByPersona)) lastByPersona[run.personaId] = run.createdAt.toISOString()
        return {
          pruning_statistics: {
            total_pruning_operations: runs.length,
            total_memories_pruned: runs.reduce((n, r) => n + r.memoriesPruned, 0),
            total_personas_processed: Object.keys(lastByPersona).length,
            average_processing_time: runs.reduce((n, r) => n + r.processingTime, 0) / runs.length,
            last_global_prune: iso(runs.find((r) => r.trigger === 'global')?.createdAt ?? null),
            personas_last_pruned: lastByPersona,
            recent_runs: runs.slice(0, 20).map((r) => ({
              prune_run_id: r.id, persona_id: r.personaId, trigger: r.trigger, memories_pruned: r.memoriesPruned,
              created_at: r.createdAt.toISOString(), restored_at: iso(r.restoredAt), purged_at: iso(r.purgedAt),
            })),
          },
        }
      },
    }),
    defineMethod({
      name: 'memory.restore',
      idempotent: true,
      description: 'Undo a prune run exactly: its memories come back as they were.',
      scope: 'admin',
      params: Type.Object({ prune_run_id: Type.String({ minLength: 1, maxLength: 64 }) }),
      result: Open,
      handler: ({ prune_run_id }) => maintenance.restore(prune_run_id),
    }),
    defineMethod({
      name: 'memory.decay_start',
      idempotent: true,
      description: 'Turn background decay on (persisted).',
      scope: 'admin',
      params: Type.Object({}),
      result: Open,
      handler: async () => { await settings.update('decay', { enabled: true }); return decayStatus(true) },
    }),
    defineMethod({
      name: 'memory.decay_stop',
      idempotent: true,
      description: 'Turn background decay off (persisted).',
      scope: 'admin',
      params: Type.Object({}),
      result: Type.Object({ status: Type.Literal('background_decay_stopped') }),
      handler: async () => { await settings.update('decay', { enabled: false }); return { status: 'background_decay_stopped' as const } },
    }),
    defineMethod({
      name: 'memory.decay_stats',
      description: 'Decay cycles so far and the decay settings.',
      readOnly: true,
      params: Type.Object({}),
      result: Type.Object({ decay_statistics: Open }),
      handler: async () => {
        const d = settings.current.decay
        const config = { mode: d.mode, rate: d.rate, interval_hours: d.intervalHours, floor: d.floor, max_decay_days: d.maxDecayDays, auto_pruning: d.autoPrune, auto_prune_threshold: d.autoPruneThreshold }
        const runs = await prisma.decayRun.findMany({ orderBy: { createdAt: 'desc' } })
        const [last] = runs
        if (!last) return { decay_statistics: { message: 'No decay cycles yet', background_running: d.enabled, config } }
        return {
          decay_statistics: {
            background_running: d.enabled,
            last_run: last.createdAt.toISOString(),
            total_decay_cycles: runs.length,
            total_memories_decayed: runs.reduce((n, r) => n + r.memoriesDecayed, 0),
            total_auto_prunes_triggered: runs.reduce((n, r) => n + r.autoPrunes, 0),
            recent_cycle: { personas_processed: last.personasProcessed, memories_decayed: last.memoriesDecayed, average_decay: last.averageDecay, processing_time: last.processingTime },
            config,
          },
        }
      },
    }),
    defineMethod({
      name: 'memory.decay_force',
      description: 'Run decay now for one persona (or all when none is given or selected), optionally with another rate.',
      scope: 'admin',
      params: Type.Object({ persona_id: Type.Optional(PersonaRef), decay_factor: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })) }),
      result: Open,
      handler: async ({ persona_id, decay_factor }, ctx) => {
        const ref = persona_id ?? ctx.connection.session.personaId ?? undefined
        const persona = ref === undefined ? undefined : personas.get(ref)
        const run = await maintenance.decay('force', persona?.id ?? null, decay_factor)
        if (persona) {
          return { status: 'persona_decay_completed', persona_id: persona.id, decay_factor: run.rate, memories_processed: run.memoriesProcessed, memories_decayed: run.memoriesDecayed }
        }
        return { status: 'global_decay_cycle_completed', personas_processed: run.personasProcessed, memories_decayed: run.memoriesDecayed, auto_prunes_triggered: run.autoPrunes, processing_time: run.processingTime }
      },
    }),
    setter('memory.set_importance_weights', 'scoring', 'Change the importance-scoring weights (content, engagement, persona, recency); persisted.'),
    setter('memory.set_decay_config', 'decay', 'Change decay settings (enabled, mode, rate, interval_hours, floor, ...); validated and persisted.'),
    setter('memory.set_pruning_config', 'pruning', 'Change pruning settings (max_memories, target_count, importance_threshold, ...); validated and persisted.'),
    setter('memory.set_retrieval_weights', 'retrieval', 'Change the search ranking weights (similarity, importance, recency) and prompt memories; persisted.'),
  ]
}
