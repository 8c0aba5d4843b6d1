import { Type, type TObject } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { patchParams, toCamelKeys, toSnakeKeys } from '../../src/memory/schemas.ts'
import type { TunableSection } from '../../src/memory/settings.ts'
import { PersonaRef } from '../../src/personas/schemas.ts'
import { errorResponses, iso, Nullable, openApi30, PatchBody } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['memory maintenance']
const PersonaQuery = Type.Object({ persona_id: PersonaRef })

const PruneCompleted = Type.Object({
  status: Type.Literal('pruning_completed'), persona_id: Type.String(), prune_run_id: Type.String({ description: 'restore takes this id' }),
  memories_before: Type.Integer(), memories_after: Type.Integer(), memories_pruned: Type.Integer(), processing_time: Type.Number({ description: 'seconds' }),
  average_importance_pruned: Type.Number(), average_importance_kept: Type.Number(),
})
const PruneSkipped = Type.Object({ status: Type.Literal('no_pruning_needed'), persona_id: Type.String(), current_memory_count: Type.Integer(), message: Type.String() })
const GlobalPrune = Type.Object({
  status: Type.Literal('global_pruning_completed'), personas_processed: Type.Integer(), total_memories_before: Type.Integer(),
  total_memories_after: Type.Integer(), total_memories_pruned: Type.Integer(), processing_time: Type.Number(), errors_encountered: Type.Integer(),
})
const PruneRunView = Type.Object({
  prune_run_id: Type.String(), persona_id: Nullable(Type.String()), trigger: Type.String({ description: 'manual, global or auto' }), status: Type.String(),
  memories_before: Type.Integer(), memories_after: Type.Integer(), memories_pruned: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }), restored_at: Nullable(Type.String({ format: 'date-time' })), purged_at: Nullable(Type.String({ format: 'date-time' })),
})
const DecayStatus = Type.Object({ enabled: Type.Boolean(), interval_hours: Type.Number(), mode: Type.String(), auto_pruning: Type.Boolean() })
const DecayRunView = Type.Object({
  created_at: Type.String({ format: 'date-time' }), trigger: Type.String(), persona_id: Nullable(Type.String()), mode: Type.String(), rate: Type.Number(),
  personas_processed: Type.Integer(), memories_processed: Type.Integer(), memories_decayed: Type.Integer(), average_decay: Type.Number(),
  auto_prunes: Type.Integer(), processing_time: Type.Number(),
})

/** A settings section as a PATCH body: the JSON-RPC setter's snake_case params. */
const patchBody = (section: TunableSection, example: Record<string, unknown>): TObject => PatchBody(openApi30(patchParams(section)).properties, example)

/** /admin/v1/memories/...: pruning (soft, restorable), decay, and their settings. */
const maintenanceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { prisma } = app.db
  const { memoryMaintenance: maintenance, memorySettings: settings, personas } = app
  const decayStatus = () => {
    const d = settings.current.decay
    return { enabled: d.enabled, interval_hours: d.intervalHours, mode: d.mode, auto_pruning: d.autoPrune }
  }

  app.post('/memories/prune', {
    schema: {
      tags,
      summary: 'Prune one persona\'s least important memories, or every persona over its limit',
      description: 'Soft: the pruned memories stay restorable (POST /memories/prune-runs/{id}/restore) until purged.',
      body: Type.Object({
        persona_id: Type.Optional(PersonaRef),
        force: Type.Boolean({ default: false, description: 'prune down to the target even when not over the limit' }),
      }, { examples: [{ persona_id: 'Aria', force: false }, {}] }),
      response: { 200: Type.Union([PruneCompleted, PruneSkipped, GlobalPrune]), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const { persona_id, force } = request.body
    return persona_id === undefined ? maintenance.pruneAll() : maintenance.prune(personas.get(persona_id).id, force, 'manual')
  })

  app.get('/memories/prune-recommendations', {
    schema: {
      tags,
      summary: 'What pruning a persona would do now',
      querystring: PersonaQuery,
      response: {
        200: Type.Object({
          persona_id: Type.String(),
          recommendations: Type.Object({
            needs_pruning: Type.Boolean(), current_count: Type.Integer(), target_count: Type.Integer(), recommendation: Type.String(),
            would_prune: Type.Optional(Type.Integer()), average_importance_to_prune: Type.Optional(Type.Number()),
            importance_range_to_prune: Type.Optional(Nullable(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }))),
          }),
        }),
        ...errorResponses(400, 404),
      },
    },
  }, async (request) => maintenance.recommendations(personas.get(request.query.persona_id).id))

  app.get('/memories/prune-runs', {
    schema: {
      tags,
      summary: 'Prune runs, newest first, with the ids restore takes',
      querystring: Type.Object({ ...PageQuery.properties, persona_id: Type.Optional(PersonaRef) }),
      response: { 200: Page(PruneRunView), ...errorResponses(400, 404) },
    },
  }, async (request) => {
    const { limit, offset, persona_id } = request.query
    const where = persona_id === undefined ? {} : { personaId: personas.get(persona_id).id }
    const [runs, total] = await Promise.all([
      prisma.pruneRun.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: offset, take: limit }),
      prisma.pruneRun.count({ where }),
    ])
    const items = runs.map((r) => ({
      prune_run_id: r.id, persona_id: r.personaId, trigger: r.trigger, status: r.status, memories_before: r.memoriesBefore, memories_after: r.memoriesAfter,
      memories_pruned: r.memoriesPruned, created_at: r.createdAt.toISOString(), restored_at: iso(r.restoredAt), purged_at: iso(r.purgedAt),
    }))
    return { items, total, limit, offset }
  })

  app.post('/memories/prune-runs/:id/restore', {
    schema: {
      tags,
      summary: 'Undo a prune run: its memories come back exactly as they were',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'prune run id' }) }),
      response: {
        200: Type.Object({ prune_run_id: Type.String(), restored: Type.Literal(true), memories_restored: Type.Integer(), persona_id: Nullable(Type.String()) }),
        ...errorResponses(400, 404, 409),
      },
    },
  }, async (request) => maintenance.restore(request.params.id))

  app.post('/memories/decay/start', {
    schema: { tags, summary: 'Turn scheduled decay on (persisted)', response: { 200: DecayStatus } },
  }, async () => { await settings.update('decay', { enabled: true }); return decayStatus() })

  app.post('/memories/decay/stop', {
    schema: { tags, summary: 'Turn scheduled decay off (persisted)', response: { 200: DecayStatus } },
  }, async () => { await settings.update('decay', { enabled: false }); return decayStatus() })

  app.get('/memories/decay/stats', {
    schema: {
      tags,
      summary: 'Decay cycles so far and the decay state',
      response: {
        200: Type.Object({
          status: DecayStatus, total_cycles: Type.Integer(), total_memories_decayed: Type.Integer(), total_auto_prunes: Type.Integer(),
          last_run: Nullable(DecayRunView),
        }),
      },
    },
  }, async () => {
    const [totals, last] = await Promise.all([
      prisma.decayRun.aggregate({ _count: true, _sum: { memoriesDecayed: true, autoPrunes: true } }),
      prisma.decayRun.findFirst({ orderBy: { createdAt: 'desc' } }),
    ])
    return {
      status: decayStatus(),
      total_cycles: totals._count,
      total_memories_decayed: totals._sum.memoriesDecayed ?? 0,
      total_auto_prunes: totals._sum.autoPrunes ?? 0,
      last_run: last && {
        created_at: last.createdAt.toISOString(), trigger: last.trigger, persona_id: last.personaId, mode: last.mode, rate: last.rate,
        personas_processed: last.personasProcessed, memories_processed: last.memoriesProcessed, memories_decayed: last.memoriesDecayed,
        average_decay: last.averageDecay, auto_prunes: last.autoPrunes, processing_time: last.processingTime,
      },
    }
  })

  // the decay and scoring settings, in the JSON-RPC setters' snake_case (PATCH /config/memory/... takes config.json's names)
  const sections: Array<[string, TunableSection, string, Record<string, unknown>]> = [
    ['decay/config', 'decay', 'decay settings', { mode: 'exponential', rate: 0.05, interval_hours: 12 }],
    ['scoring-weights', 'scoring', 'importance-scoring weights', { content: 1.2, engagement: 0.8 }],
  ]
  for (const [path, section, what, example] of sections) {
    const Settings = openApi30(patchParams(section))
    app.get(`/memories/${path}`, {
      schema: { tags, summary: `The ${what} in force`, response: { 200: Settings } },
    }, async () => toSnakeKeys(settings.current[section]))
    app.patch(`/memories/${path}`, {
      schema: {
        tags,
        summary: `Change the ${what}; validated and persisted`,
        body: patchBody(section, example),
        response: { 200: Settings, ...errorResponses(400) },
      },
    }, async (request) => toSnakeKeys(await settings.update(section, toCamelKeys(request.body))))
  }
}

export default maintenanceRoutes
