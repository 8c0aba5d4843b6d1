import type { TSchema } from '@sinclair/typebox'
import type { MethodDefinition } from './registry.ts'

/** The subset of OpenRPC 1.3.2 (https://spec.open-rpc.org) that we produce. */
export interface OpenRpcContentDescriptor {
  name: string
  description?: string
  required?: boolean
  schema: Record<string, unknown>
}

export interface OpenRpcMethod {
  name: string
  description: string
  paramStructure: 'by-name'
  params: OpenRpcContentDescriptor[]
  result: OpenRpcContentDescriptor
}

export interface OpenRpcDocument {
  openrpc: '1.3.2'
  info: { title: string, version: string }
  methods: OpenRpcMethod[]
}

export const SERVER_TITLE = 'Persona MCP Server'

/**
 * Builds the document answered by `rpc.discover` straight from the method declarations.
 * The result goes through JSON so TypeBox's symbol keys (Kind, Optional) never leak to clients.
 */
export function buildOpenRpcDocument (methods: readonly MethodDefinition[], version: string): OpenRpcDocument {
  const doc: OpenRpcDocument = {
    openrpc: '1.3.2',
    info: { title: SERVER_TITLE, version },
    methods: methods.map(describeMethod)
  }
  return JSON.parse(JSON.stringify(doc)) as OpenRpcDocument
}

function describeMethod (def: MethodDefinition): OpenRpcMethod {
  const required = new Set(def.params.required ?? [])
  const properties: Record<string, TSchema> = def.params.properties
  const params = Object.entries(properties).map(([name, schema]): OpenRpcContentDescriptor => {
    // a param with a default may be omitted by the client, whatever the schema's `required` says
    const descriptor: OpenRpcContentDescriptor = { name, required: required.has(name) && !('default' in schema), schema }
    if (typeof schema.description === 'string') descriptor.description = schema.description
    return descriptor
  })
  return {
    name: def.name,
    description: def.description,
    // we take named params only; saying so lets generated clients send objects
    paramStructure: 'by-name',
    params,
    result: { name: 'result', schema: def.result }
  }
}
