import { Type, type TObject, type TSchema } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ConfigSchema, type AppConfig } from '../../src/config/index.ts'
import type { TunableSection } from '../../src/memory/settings.ts'
import { redactConfig } from '../../src/system/config-view.ts'
import { errorResponses, openApi30, PatchBody } from './common.ts'

const tags = ['config']
const TUNABLE: readonly TunableSection[] = ['scoring', 'retrieval', 'pruning', 'decay']

// The documented shape: config.json's own schema, with API keys as user and scope.
const { auth } = ConfigSchema.properties
const RedactedConfig = openApi30(Type.Object({
  ...ConfigSchema.properties,
  auth: Type.Object({ ...auth.properties, apiKeys: Type.Array(Type.Pick(auth.properties.apiKeys.items, ['user', 'scope'])) }),
}, { description: 'the effective config (config.json, environment, defaults) with secrets redacted' }))
const MemorySettings = openApi30(ConfigSchema.properties.memory)

const memorySection = (section: TunableSection) => MemorySettings.properties[section] as TObject

const EXAMPLES: Record<TunableSection, Record<string, unknown>> = {
  scoring: { content: 1.2, recency: 0.8 },
  retrieval: { similarity: 0.7, importance: 0.2, recency: 0.1 },
  pruning: { maxMemories: 2000, targetCount: 1600 },
  decay: { mode: 'exponential', rate: 0.05 },
}

/** A section as a PATCH body: config.json's names and ranges, every key optional, no defaults (a patch changes only what it names). */
const patchBody = (section: TunableSection) => PatchBody(Object.fromEntries(Object.entries(memorySection(section).properties).map(([key, schema]) => {
  const copy: TSchema = { ...schema }
  delete copy.default
  return [key, Type.Optional(copy)]
})), EXAMPLES[section])

/** /admin/v1/config: what the server runs with, and the memory settings that can change while it runs. */
const configRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { memorySettings: settings } = app

  app.get('/config', {
    schema: {
      tags,
      summary: 'The effective configuration (secrets redacted) and the memory settings in force',
      description: 'memory_settings differ from config.memory once changed at run time (PATCH /admin/v1/config/memory/...), which persists them.',
      response: { 200: Type.Object({ config: RedactedConfig, memory_settings: MemorySettings }) },
    },
  }, async () => ({ config: redactConfig(app.config) as AppConfig, memory_settings: settings.current }))

  // one route per section, so that each documents its own body
  for (const section of TUNABLE) {
    app.patch(`/config/memory/${section}`, {
      schema: {
        tags,
        summary: `Change memory.${section} at run time; validated and persisted`,
        description: 'Only the keys given change. The change survives a restart (kept in the database, over config.json).',
        body: patchBody(section),
        response: { 200: memorySection(section), ...errorResponses(400) },
      },
    }, async (request) => settings.update(section, request.body as Partial<AppConfig['memory'][typeof section]>))
  }
}

export default configRoutes
