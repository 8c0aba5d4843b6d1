import type { MemorySettingsRepository } from '../../memory/repository.ts'
import type { SqliteDatabase } from './database.ts'

// Run-time changes to the memory config sections, one Setting row per section (`memory.<section>`).
// Written on an operator's change, through Prisma; read once at start-up by a statement of its own, so the
// start does not wait for Prisma's query engine.

const PREFIX = 'memory.'

export function createSqliteMemorySettingsRepository ({ prisma, sqlite }: SqliteDatabase): MemorySettingsRepository {
  const sections = sqlite.prepare<[string, string], { key: string, value: string }>('SELECT key, value FROM Setting WHERE substr(key, 1, length(?)) = ?')
  return {
    async load () {
      const rows = sections.all(PREFIX, PREFIX)
      return Object.fromEntries(rows.map((row) => [row.key.slice(PREFIX.length), JSON.parse(row.value) as Record<string, unknown>]))
    },
    async save (section, patch) {
      const key = PREFIX + section
      const stored = await prisma.setting.findUnique({ where: { key } })
      const value = { ...(stored?.value as object | undefined), ...patch } as Record<string, string | number | boolean>
      await prisma.setting.upsert({ where: { key }, create: { key, value }, update: { value } })
    },
  }
}
