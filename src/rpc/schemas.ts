import { Type, type Static } from '@sinclair/typebox'

// The wire shapes of the RPC layer's own methods: the OpenRPC 1.3.2 document (https://spec.open-rpc.org)
// answered by rpc.discover, the subset we produce.

/**
 * A JSON Schema (draft 07, as TypeBox writes it) of a parameter or result. Open by nature: it is the one
 * part of the document described loosely (test/layering.test.ts names it as such).
 */
export const JsonSchemaSchema = Type.Unsafe<Record<string, unknown>>(Type.Object({}, {
  additionalProperties: true,
  description: 'A JSON Schema (draft 07): type, properties, items, required, description...',
}))

export const OpenRpcContentDescriptorSchema = Type.Object({
  name: Type.String(),
  description: Type.Optional(Type.String()),
  required: Type.Optional(Type.Boolean({ description: 'false (or absent) when the client may leave it out' })),
  schema: JsonSchemaSchema,
})

export const OpenRpcMethodSchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  paramStructure: Type.Literal('by-name', { description: 'params are an object of named parameters' }),
  params: Type.Array(OpenRpcContentDescriptorSchema),
  result: OpenRpcContentDescriptorSchema,
})

export const OpenRpcDocumentSchema = Type.Object({
  openrpc: Type.Literal('1.3.2'),
  info: Type.Object({ title: Type.String(), version: Type.String({ description: 'the server version' }) }),
  methods: Type.Array(OpenRpcMethodSchema),
})

export type OpenRpcContentDescriptor = Static<typeof OpenRpcContentDescriptorSchema>
export type OpenRpcMethod = Static<typeof OpenRpcMethodSchema>
export type OpenRpcDocument = Static<typeof OpenRpcDocumentSchema>
