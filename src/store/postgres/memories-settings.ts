import type { MemorySettingsRepository } from '../../memory/repository.ts'
import type { PostgresDatabase } from './database.ts'
import { pgTime } from './memories.ts'

// Run-time changes to the memory config sections, one Setting row per section (`memory.<section>`), as on
// SQLite (src/store/sqlite/memories-settings.ts). The merge is one upsert (jsonb || keeps the stored keys a
// patch does not name), so two instances changing one section at once both keep their keys.

const PREFIX = 'memory.'

const SAVE = `INSERT INTO "Setting" (key, value, "updatedAt") VALUES ($1, $2::jsonb, $3::timestamp)
  ON CONFLICT (key) DO UPDATE SET value = "Setting".value || EXCLUDED.value, "updatedAt" = EXCLUDED."updatedAt"`

export function createPostgresMemorySettingsRepository ({ pool }: PostgresDatabase): MemorySettingsRepository {
  return {
    async load () {
      const { rows } = await pool.query<{ key: string, value: Record<string, unknown> }>({
        name: 'memory-settings-load', text: 'SELECT key, value FROM "Setting" WHERE starts_with(key, $1)', values: [PREFIX],
      })
      return Object.fromEntries(rows.map((row) => [row.key.slice(PREFIX.length), row.value]))
    },
    async save (section, patch) {
      await pool.query({ name: 'memory-settings-save', text: SAVE, values: [PREFIX + section, JSON.stringify(patch), pgTime()] })
    },
  }
}
