import type { MemorySettingsRepository } from '../../memory/repository.ts'
import type { SqliteDatabase } from './database.ts'

// Run-time changes to the memory config sections, one Setting row per section (`memory.<section>`).
// Read once at start-up and written on an operator's change: Prisma is fine here.

const PREFIX = 'memory.'

export function createSqliteMemorySettingsRepository ({ prisma }: SqliteDatabase): MemorySettingsRepository {
  return {
    async load () {
      const rows = await prisma.setting.findMany({ where: { key: { startsWith: PREFIX } } })
      return Object.fromEntries(rows.map((row) => [row.key.slice(PREFIX.length), row.value as Record<string, unknown>]))
    },
    async save (section, patch) {
      const key = PREFIX + section
      const stored = await prisma.setting.findUnique({ where: { key } })
      const value = { ...(stored?.value as object | undefined), ...patch } as Record<string, string | number | boolean>
      await prisma.setting.upsert({ where: { key }, create: { key, value }, update: { value } })
    },
  }
}
