import { Type, type TSchema } from '@sinclair/typebox'
import { PersonaRef } from '../personas/schemas.ts'
import { SettingsView } from './schemas.ts'
import type { TunableSection } from './settings.ts'

// Wire shapes of pruning and decay (original-api.md's memory.prune... and memory.decay... results), shared by
// the JSON-RPC methods and the admin API.

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Time = Type.String({ format: 'date-time' })
const Seconds = Type.Number({ description: 'seconds' })

export const PruneRunId = Type.String({ minLength: 1, maxLength: 64, description: 'prune run id' })
export const PruneParams = Type.Object({
  persona_id: Type.Optional(PersonaRef),
  force: Type.Boolean({ default: false, description: 'prune below the maximum too (never past the threshold, protections or target)' }),
})

/** The earlier memory.prune result, the same whether or not anything was pruned, plus our run id for memory.restore. */
export const PruneResult = Type.Object({
  status: Type.Union([Type.Literal('pruning_completed'), Type.Literal('no_pruning_needed')]),
  persona_id: Type.String(),
  prune_run_id: Type.Union([Type.String(), Type.Null()], { description: 'memory.restore takes this id; null when nothing was pruned' }),
  memories_before: Type.Integer(),
  memories_pruned: Type.Integer(),
  memories_after: Type.Integer(),
  processing_time: Seconds,
  average_importance_pruned: Type.Number(),
  average_importance_kept: Type.Number(),
  current_memory_count: Type.Optional(Type.Integer()),
  message: Type.Optional(Type.String()),
})

export const GlobalPruneResult = Type.Object({
  status: Type.Literal('global_pruning_completed'),
  personas_processed: Type.Integer(),
  total_memories_before: Type.Integer(),
  total_memories_after: Type.Integer(),
  total_memories_pruned: Type.Integer(),
  processing_time: Seconds,
  errors_encountered: Type.Integer(),
})

export const PruneRecommendationView = Type.Object({
  persona_id: Type.String(),
  recommendations: Type.Object({
    needs_pruning: Type.Boolean(),
    current_count: Type.Integer(),
    target_count: Type.Integer(),
    recommendation: Type.String(),
    would_prune: Type.Optional(Type.Integer()),
    average_importance_to_prune: Type.Optional(Type.Number()),
    importance_range_to_prune: Type.Optional(Nullable(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }))),
  }),
})

export const PruneRunView = Type.Object({
  prune_run_id: Type.String(),
  persona_id: Nullable(Type.String()),
  trigger: Type.String({ description: 'manual, global or auto' }),
  status: Type.String({ description: 'completed or restored' }),
  memories_before: Type.Integer(),
  memories_after: Type.Integer(),
  memories_pruned: Type.Integer(),
  created_at: Time,
  restored_at: Nullable(Time),
  purged_at: Nullable(Time),
})

const NothingYet = <T extends Record<string, TSchema>>(extra: T) => Type.Object({ message: Type.String(), ...extra })

export const PruneStatistics = Type.Union([
  Type.Object({
    total_pruning_operations: Type.Integer(),
    total_memories_pruned: Type.Integer(),
    total_personas_processed: Type.Integer(),
    average_processing_time: Seconds,
    last_global_prune: Nullable(Time),
    personas_last_pruned: Type.Record(Type.String(), Time, { description: 'by persona id' }),
    recent_runs: Type.Array(PruneRunView, { description: 'newest first, at most 20' }),
  }),
  NothingYet({}),
])

export const RestoreResult = Type.Object({
  prune_run_id: Type.String(), restored: Type.Literal(true), memories_restored: Type.Integer(), persona_id: Nullable(Type.String()),
})

/** the decay settings a start or stop reports */
const DecaySchedule = { interval_hours: Type.Number(), mode: Type.String(), auto_pruning: Type.Boolean() }
export const DecayStarted = Type.Object({ status: Type.Literal('background_decay_started'), ...DecaySchedule })
export const DecayStopped = Type.Object({ status: Type.Literal('background_decay_stopped') })
/** the admin API's decay state */
export const DecayStatus = Type.Object({ enabled: Type.Boolean(), ...DecaySchedule })

export const DecayConfigView = Type.Object({
  mode: Type.String(), rate: Type.Number(), interval_hours: Type.Number(), floor: Type.Number(), max_decay_days: Type.Number(),
  auto_pruning: Type.Boolean(), auto_prune_threshold: Type.Integer(),
})

export const DecayStatistics = Type.Union([
  Type.Object({
    background_running: Type.Boolean(),
    last_run: Time,
    total_decay_cycles: Type.Integer(),
    total_memories_decayed: Type.Integer(),
    total_auto_prunes_triggered: Type.Integer(),
    recent_cycle: Type.Object({ personas_processed: Type.Integer(), memories_decayed: Type.Integer(), average_decay: Type.Number(), processing_time: Seconds }),
    config: DecayConfigView,
  }),
  NothingYet({ background_running: Type.Boolean(), config: DecayConfigView }),
])

export const DecayForceParams = Type.Object({ persona_id: Type.Optional(PersonaRef), decay_factor: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })) })
export const DecayForceResult = Type.Union([
  Type.Object({
    status: Type.Literal('persona_decay_completed'), persona_id: Type.String(), decay_factor: Type.Number(),
    memories_processed: Type.Integer(), memories_decayed: Type.Integer(),
  }),
  Type.Object({
    status: Type.Literal('global_decay_cycle_completed'), personas_processed: Type.Integer(), memories_decayed: Type.Integer(),
    auto_prunes_triggered: Type.Integer(), processing_time: Seconds,
  }),
])

export const DecayRunView = Type.Object({
  created_at: Time, trigger: Type.String(), persona_id: Nullable(Type.String()), mode: Type.String(), rate: Type.Number(),
  personas_processed: Type.Integer(), memories_processed: Type.Integer(), memories_decayed: Type.Integer(), average_decay: Type.Number(),
  auto_prunes: Type.Integer(), processing_time: Seconds,
})

export const DecayOverview = Type.Object({
  status: DecayStatus, total_cycles: Type.Integer(), total_memories_decayed: Type.Integer(), total_auto_prunes: Type.Integer(), last_run: Nullable(DecayRunView),
})

/** what a memory.set_... setter answers: the section as it is now */
export const SettingsChanged = (section: TunableSection) => Type.Object({ success: Type.Literal(true), config: SettingsView(section) })
