// How our declarations and lists take MCP's wire shapes: JSON Schemas and paginated lists.

import type { TSchema } from '@sinclair/typebox'
import type { Tool } from '@modelcontextprotocol/sdk/types.js'
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js'

type Json = Record<string, unknown>
type ObjectSchema = Tool['inputSchema']

/**
 * A TypeBox declaration as plain JSON Schema for MCP: TypeBox's symbol keys are dropped by the JSON round
 * trip, and properties with a default leave `required`, because the registry fills defaults in before it
 * validates: a client (or a model) need not send `token_budget` just because the schema has one.
 */
export function toInputSchema (schema: TSchema): ObjectSchema {
  return relaxDefaults(JSON.parse(JSON.stringify(schema)) as Json) as ObjectSchema
}

/** The result schema as an MCP outputSchema; only object schemas qualify (structuredContent is an object). */
export function toOutputSchema (schema: TSchema): ObjectSchema | undefined {
  return isObjectSchema(schema) ? JSON.parse(JSON.stringify(schema)) as ObjectSchema : undefined
}

export function isObjectSchema (schema: TSchema): boolean {
  return schema.type === 'object'
}

function relaxDefaults (node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relaxDefaults)
  if (typeof node !== 'object' || node === null) return node
  const out: Json = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, relaxDefaults(value)]))
  const properties = out.properties as Record<string, Json> | undefined
  if (out.type === 'object' && properties && Array.isArray(out.required)) {
    const required = (out.required as string[]).filter((name) => properties[name]?.default === undefined)
    if (required.length > 0) out.required = required
    else delete out.required
  }
  return out
}

/**
 * One page of a list request. The cursor is opaque to clients (base64 of an offset), so the page size can
 * change between releases without breaking them; a cursor we did not issue is a -32602 as the spec asks.
 */
export function page<T> (items: readonly T[], cursor: string | undefined, pageSize: number): { items: T[], nextCursor?: string } {
  let start = 0
  if (cursor !== undefined) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (!decoded) throw new McpError(ErrorCode.InvalidParams, `Invalid cursor: ${cursor}`)
    start = Number(decoded[1])
  }
  const end = start + pageSize
  return end < items.length
    ? { items: items.slice(start, end), nextCursor: Buffer.from(`offset:${end}`, 'utf8').toString('base64url') }
    : { items: items.slice(start) }
}
