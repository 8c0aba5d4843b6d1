// Where a JSON Schema (a method's result, an MCP outputSchema) leaves part of what comes back undescribed.

type Json = Record<string, unknown>

/**
 * Parts of a result that are open by nature, per method, as value paths: the JSON Schemas inside the OpenRPC
 * document, JSON that others wrote and we keep verbatim. The layering and MCP outputSchema tests both read it.
 */
export const OPEN_BY_NATURE: Readonly<Record<string, ReadonlySet<string>>> = {
  'rpc.discover': new Set(['/methods/*/params/*/schema', '/methods/*/result/schema']),
  // a card's vendor extensions are kept verbatim, whatever JSON another tool put there (ours, persona_mcp, is typed)
  'persona.export_card': new Set(['/card/data/character_book/extensions', '/card/data/character_book/entries/*/extensions']),
  // what a memory was stored with: free-form JSON of the user's
  'user.export': new Set(['/memories/*/metadata']),
}

const isSchema = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The untyped parts of `schema`, as value paths ('/personas/*\/extra': `*` an array item, `{key}` a map
 * value) with what is wrong there: an Unknown or Any (a schema that says nothing), an object without
 * properties that is not explicitly empty (`additionalProperties: false`), a Record of Unknown, an array
 * without items. `open` names the paths that are open by nature and are left alone.
 */
export function untypedParts (schema: unknown, open: ReadonlySet<string> = new Set(), path = ''): string[] {
  if (open.has(path)) return []
  const at = path === '' ? '/' : path
  if (!isSchema(schema)) return schema === false ? [] : [`${at}: any value (schema ${JSON.stringify(schema)})`]
  const variants = ['anyOf', 'oneOf', 'allOf'].flatMap((key) => Array.isArray(schema[key]) ? schema[key] as unknown[] : [])
  if (variants.length > 0) return variants.flatMap((variant) => untypedParts(variant, open, path))
  if ('$ref' in schema || 'const' in schema || 'enum' in schema) return []
  const { type } = schema
  if (type === undefined) return [`${at}: untyped (Unknown or Any)`]
  if (type === 'object') return objectParts(schema, open, path, at)
  if (type === 'array') {
    const { items, prefixItems } = schema
    const tuple = prefixItems ?? items
    if (Array.isArray(tuple)) return tuple.flatMap((item: unknown, i: number) => untypedParts(item, open, `${path}/${i}`))
    return items === undefined ? [`${at}: array without items`] : untypedParts(items, open, `${path}/*`)
  }
  return []
}

function objectParts (schema: Json, open: ReadonlySet<string>, path: string, at: string): string[] {
  const properties = isSchema(schema.properties) ? schema.properties : {}
  const patterns = isSchema(schema.patternProperties) ? Object.values(schema.patternProperties) : []
  const rest = schema.additionalProperties
  const values = [...patterns, ...(isSchema(rest) ? [rest] : [])]
  const found = [
    ...Object.entries(properties).flatMap(([name, value]) => untypedParts(value, open, `${path}/${name}`)),
    ...values.flatMap((value) => untypedParts(value, open, `${path}/{key}`)),
  ]
  if (Object.keys(properties).length === 0 && values.length === 0 && rest !== false) {
    found.push(`${at}: object without properties (and not additionalProperties: false)`)
  }
  return found
}
