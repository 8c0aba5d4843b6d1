import { Type } from '@sinclair/typebox'

// Wire shapes of API keys (the admin API's /api-keys routes).

const Scope = Type.Union([Type.Literal('client'), Type.Literal('admin')])
const Time = Type.String({ format: 'date-time' })

export const ApiKeyView = Type.Object({
  id: Type.String(),
  user_id: Type.String({ description: 'the user this key acts as: conversations and memories are scoped to it' }),
  scope: Scope,
  label: Type.String(),
  key_prefix: Type.String({ description: 'the first characters of the secret, to tell keys apart' }),
  created_at: Time,
  last_used_at: Type.Union([Time, Type.Null()]),
  revoked_at: Type.Union([Time, Type.Null()]),
})

export const NewApiKeyView = Type.Composite([ApiKeyView, Type.Object({ secret: Type.String({ description: 'shown this once: only its hash is stored' }) })])

export const NewApiKeyBody = Type.Object({
  user_id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$', examples: ['alice'] }),
  scope: Type.Union(Scope.anyOf, { default: 'client' }),
  label: Type.String({ maxLength: 200, default: '', examples: ['alice laptop'] }),
})
