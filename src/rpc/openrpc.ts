import { Type, type TSchema } from '@sinclair/typebox'
import { defineMethod, type MethodCatalog, type MethodDefinition } from './method.ts'
import { OpenRpcDocumentSchema, type OpenRpcContentDescriptor, type OpenRpcDocument, type OpenRpcMethod } from './schemas.ts'

export const SERVER_TITLE = 'Persona MCP Server'
export const DISCOVER = 'rpc.discover'

/**
 * Builds the document answered by `rpc.discover` straight from the method declarations.
 * The result goes through JSON so TypeBox's symbol keys (Kind, Optional) never leak to clients.
 */
export function buildOpenRpcDocument (methods: readonly MethodDefinition[], version: string): OpenRpcDocument {
  const doc: OpenRpcDocument = {
    openrpc: '1.3.2',
    info: { title: SERVER_TITLE, version },
    methods: methods.map(describeMethod),
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
    result: { name: 'result', schema: def.result },
  }
}

/**
 * rpc.discover, registered by name like any method: the OpenRPC document of the catalog's system and
 * application methods (itself included), built once per change of the catalog.
 */
export function createDiscoverMethod (catalog: MethodCatalog, version: string): MethodDefinition {
  let built: { revision: number, doc: OpenRpcDocument } | undefined
  return defineMethod({
    name: DISCOVER,
    description: 'The OpenRPC document of this server: every method with its params and result schemas',
    params: Type.Object({}),
    result: OpenRpcDocumentSchema,
    readOnly: true,
    handler: () => {
      if (built?.revision !== catalog.revision) {
        built = { revision: catalog.revision, doc: buildOpenRpcDocument([...catalog.systemMethods(), ...catalog.list()], version) }
      }
      return built.doc
    },
  })
}
