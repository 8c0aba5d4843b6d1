import { Type, type TObject, type TSchema } from '@sinclair/typebox'
import { ConfigSchema } from '../config/index.ts'
import type { MemoryRow } from './repository.ts'

export const VisibilitySchema = Type.Union([Type.Literal('private'), Type.Literal('shared'), Type.Literal('public')])

export const MemoryView = Type.Object({
  id: Type.String(),
  content: Type.String(),
  memory_type: Type.String(),
  importance: Type.Number(),
  emotional_valence: Type.Number(),
  related_personas: Type.Array(Type.String()),
  visibility: VisibilitySchema,
  created_at: Type.String({ format: 'date-time' }),
  accessed_count: Type.Integer(),
  similarity: Type.Optional(Type.Number()),
  score: Type.Optional(Type.Number()),
})

export const memoryView = (m: MemoryRow & { similarity?: number, score?: number }) => ({
  id: m.id,
  content: m.content,
  memory_type: m.memoryType,
  importance: Math.round(m.importance * 10_000) / 10_000,
  emotional_valence: m.emotionalValence,
  related_personas: m.relatedPersonas,
  visibility: m.visibility,
  created_at: new Date(m.createdAt).toISOString(),
  accessed_count: m.accessCount,
  ...(m.similarity === undefined ? {} : { similarity: Math.round(m.similarity * 10_000) / 10_000 }),
  ...(m.score === undefined ? {} : { score: Math.round(m.score * 10_000) / 10_000 }),
})

export const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
export const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/**
 * A config section as optional snake_case params: the wire names of the earlier server, the
 * ranges and descriptions of config.json's own schema (no second copy), and no defaults (a
 * patch changes only what it names).
 */
export function patchParams (section: 'scoring' | 'pruning' | 'decay' | 'retrieval'): TObject {
  const properties = (ConfigSchema.properties.memory.properties[section] as TObject).properties
  return Type.Object(Object.fromEntries(Object.entries(properties).map(([key, schema]) => {
    const copy: TSchema = { ...schema }
    delete copy.default
    return [snake(key), Type.Optional(copy)]
  })))
}

export const toCamelKeys = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]))
export const toSnakeKeys = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [snake(k), v]))
