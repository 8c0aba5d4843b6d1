import type { TObject } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ConfigSchema, type AppConfig } from '../config/index.ts'
import { invalidParams } from '../rpc/errors.ts'
import { describeSchemaError } from '../util/schema-errors.ts'
import type { MemorySettingsRepository } from './repository.ts'

type MemoryConfig = AppConfig['memory']
export type TunableSection = 'scoring' | 'pruning' | 'decay' | 'retrieval'

const sectionSchema = (section: TunableSection) => ConfigSchema.properties.memory.properties[section] as TObject

/**
 * The memory settings in force: config.json's, overlaid with changes made at run time
 * (memory.set_decay_config and friends), which are validated like the file and kept in the
 * database so they survive a restart.
 */
export async function loadMemorySettings (repository: MemorySettingsRepository, defaults: MemoryConfig) {
  const current = structuredClone(defaults) as MemoryConfig
  for (const [name, stored] of Object.entries(await repository.load())) {
    const section = name as TunableSection
    if (!(section in current)) continue
    const merged = { ...current[section], ...stored }
    // a stored change that no longer fits the schema (after an upgrade) is ignored, not fatal
    if (Value.Check(sectionSchema(section), merged)) Object.assign(current[section], merged)
  }

  return {
    get current (): Readonly<MemoryConfig> { return current },

    /** Applies a partial change to one section; refused with -32602 naming the key when invalid. */
    async update<S extends TunableSection> (section: S, patch: Partial<MemoryConfig[S]>): Promise<MemoryConfig[S]> {
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
      const merged = { ...current[section], ...defined }
      const first = Value.Errors(sectionSchema(section), merged).First()
      if (first) {
        const message = describeSchemaError(first)
        throw invalidParams(`Invalid ${section} setting ${first.path.slice(1)}: ${message}`, {
          errors: [{ path: first.path, message }],
        })
      }
      await repository.save(section, defined)
      Object.assign(current[section], merged)
      return current[section]
    },
  }
}

export type MemorySettings = Awaited<ReturnType<typeof loadMemorySettings>>
