import { Type, type TObject } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  DecayOverview, DecayStatus, GlobalPruneResult, PruneRecommendationView, PruneResult, PruneRunId, PruneRunView, RestoreResult,
} from '../../src/memory/maintenance-schemas.ts'
import { patchParams } from '../../src/memory/schemas.ts'
import type { TunableSection } from '../../src/memory/settings.ts'
import { PersonaRef } from '../../src/personas/schemas.ts'
import { errorResponses, openApi30, PatchBody } from './common.ts'
import { Page, PageQuery } from './pagination.ts'

const tags = ['memory maintenance']

/** A settings section as a PATCH body: the JSON-RPC setter's snake_case params. */
const patchBody = (section: TunableSection, example: Record<string, unknown>): TObject => PatchBody(openApi30(patchParams(section)).properties, example)

/** /admin/v1/memories/...: pruning (soft, restorable), decay, and their settings. */
const maintenanceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const admin = app.memoryAdmin

  app.post('/memories/prune', {
    schema: {
      tags,
      summary: 'Prune one persona\'s least important memories, or every persona over its limit',
      description: 'Soft: the pruned memories stay restorable (POST /memories/prune-runs/{id}/restore) until purged.',
      body: Type.Object({
        persona_id: Type.Optional(PersonaRef),
        force: Type.Boolean({ default: false, description: 'prune down to the target even when not over the limit' }),
      }, { examples: [{ persona_id: 'Aria', force: false }, {}] }),
      response: { 200: Type.Union([PruneResult, GlobalPruneResult]), ...errorResponses(400, 404) },
    },
  }, async (request) => admin.prune(request.body))

  app.get('/memories/prune-recommendations', {
    schema: {
      tags,
      summary: 'What pruning a persona would do now',
      querystring: Type.Object({ persona_id: PersonaRef }),
      response: { 200: PruneRecommendationView, ...errorResponses(400, 404) },
    },
  }, async (request) => admin.recommendations(request.query.persona_id))

  app.get('/memories/prune-runs', {
    schema: {
      tags,
      summary: 'Prune runs, newest first, with the ids restore takes',
      querystring: Type.Object({ ...PageQuery.properties, persona_id: Type.Optional(PersonaRef) }),
      response: { 200: Page(PruneRunView), ...errorResponses(400, 404) },
    },
  }, async (request) => admin.pruneRuns(request.query))

  app.post('/memories/prune-runs/:id/restore', {
    schema: {
      tags,
      summary: 'Undo a prune run: its memories come back exactly as they were',
      params: Type.Object({ id: PruneRunId }),
      response: { 200: RestoreResult, ...errorResponses(400, 404, 409) },
    },
  }, async (request) => admin.restore(request.params.id))

  app.post('/memories/decay/start', {
    schema: { tags, summary: 'Turn scheduled decay on (persisted)', response: { 200: DecayStatus } },
  }, async () => admin.setDecay(true))

  app.post('/memories/decay/stop', {
    schema: { tags, summary: 'Turn scheduled decay off (persisted)', response: { 200: DecayStatus } },
  }, async () => admin.setDecay(false))

  app.get('/memories/decay/stats', {
    schema: { tags, summary: 'Decay cycles so far and the decay state', response: { 200: DecayOverview } },
  }, async () => admin.decayOverview())

  // the decay and scoring settings, in the JSON-RPC setters' snake_case (PATCH /config/memory/... takes config.json's names)
  const sections: Array<[string, TunableSection, string, Record<string, unknown>]> = [
    ['decay/config', 'decay', 'decay settings', { mode: 'exponential', rate: 0.05, interval_hours: 12 }],
    ['scoring-weights', 'scoring', 'importance-scoring weights', { content: 1.2, engagement: 0.8 }],
  ]
  for (const [path, section, what, example] of sections) {
    const Settings = openApi30(patchParams(section))
    app.get(`/memories/${path}`, {
      schema: { tags, summary: `The ${what} in force`, response: { 200: Settings } },
    }, async () => admin.settings(section))
    app.patch(`/memories/${path}`, {
      schema: {
        tags,
        summary: `Change the ${what}; validated and persisted`,
        body: patchBody(section, example),
        response: { 200: Settings, ...errorResponses(400) },
      },
    }, async (request) => admin.updateSettings(section, request.body))
  }
}

export default maintenanceRoutes
