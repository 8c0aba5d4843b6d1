import { Type, type TProperties, type TSchema } from '@sinclair/typebox'
import type { MethodRegistry } from '../../src/rpc/registry.ts'

// Small pieces every admin route file uses.

const ERROR_REF = { $ref: 'ErrorBody#' } as const
type ErrorStatus = 400 | 403 | 404 | 409 | 413 | 415 | 503

/** The error responses a route documents, all with the shared ErrorBody. */
export const errorResponses = <S extends ErrorStatus>(...statuses: S[]) =>
  Object.fromEntries(statuses.map((status) => [status, ERROR_REF])) as Record<S, typeof ERROR_REF>

/**
 * A PATCH body: only the keys named change, at least one, and an unknown key is a 400. Not
 * `additionalProperties: false`: Fastify's Ajv (removeAdditional) would drop a misspelt key silently
 * and answer 200 having changed nothing.
 */
export const PatchBody = <T extends TProperties>(properties: T, example: Record<string, unknown>) =>
  Type.Object(properties, { additionalProperties: Type.Never(), minProperties: 1, examples: [example] })

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

/**
 * A schema the OpenAPI 3.0 document accepts: numeric exclusiveMinimum/exclusiveMaximum (JSON Schema
 * 2019, what TypeBox writes and config.json's schema uses) are booleans in OpenAPI 3.0, and Fastify's
 * Ajv refuses the boolean form. The bound becomes inclusive here and the description says so; the
 * memory settings' `update` still checks the exact bound (a 400 naming the key).
 */
export function openApi30<T extends TSchema> (schema: T): T {
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert)
    if (typeof node !== 'object' || node === null) return node
    // spread keeps TypeBox's symbol keys (Kind, Optional), which Type.* helpers rely on
    const out: Record<string | symbol, unknown> = { ...node }
    for (const [key, value] of Object.entries(node)) out[key] = key === 'default' || key === 'examples' ? value : convert(value)
    for (const [exclusive, inclusive, word] of [['exclusiveMinimum', 'minimum', 'greater'], ['exclusiveMaximum', 'maximum', 'less']] as const) {
      const bound = out[exclusive]
      if (typeof bound !== 'number') continue
      delete out[exclusive]
      out[inclusive] = bound
      const note = `must be ${word} than ${bound}`
      out.description = typeof out.description === 'string' ? `${out.description} (${note})` : note
    }
    return out
  }
  return convert(schema) as T
}

export const iso = (date: Date | null) => (date === null ? null : date.toISOString())

/**
 * A wire shape a JSON-RPC method already declares (its result, or a property of it), so the REST
 * route documents exactly what the method sends without a second copy of the schema. Fails at
 * start-up, not at request time, when the method or the path is missing.
 */
export function rpcResultSchema<T extends TSchema = TSchema> (registry: MethodRegistry, method: string, ...path: Array<string | number>): T {
  const def = registry.get(method)
  if (!def) throw new Error(`admin API: the JSON-RPC method ${method} is not registered`)
  let schema: unknown = def.result
  for (const step of path) {
    const node = schema as { properties?: Record<string, unknown>, anyOf?: unknown[] }
    schema = typeof step === 'number' ? node.anyOf?.[step] : node.properties?.[step]
    if (schema === undefined) throw new Error(`admin API: ${method} has no result schema at ${path.join('.')}`)
  }
  return schema as T
}
