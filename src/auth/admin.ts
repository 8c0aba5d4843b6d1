import type { Static } from '@sinclair/typebox'
import type { ApiKeyRecord } from './repository.ts'
import type { ApiKeyView, NewApiKeyBody, NewApiKeyView } from './schemas.ts'
import type { AuthService } from './service.ts'

type KeyView = Static<typeof ApiKeyView>

const view = (key: ApiKeyRecord): KeyView => ({
  id: key.id,
  user_id: key.userId,
  scope: key.scope,
  label: key.label,
  key_prefix: key.keyPrefix,
  created_at: key.createdAt.toISOString(),
  last_used_at: key.lastUsedAt?.toISOString() ?? null,
  revoked_at: key.revokedAt?.toISOString() ?? null,
})

/** What the admin API does with API keys: created (secret shown once), listed without secrets, revoked. */
export function createApiKeyAdmin (auth: AuthService) {
  return {
    async create (body: Static<typeof NewApiKeyBody>): Promise<Static<typeof NewApiKeyView>> {
      const created = await auth.create({ userId: body.user_id, scope: body.scope, label: body.label })
      return { ...view(created), secret: created.secret }
    },
    async list (limit: number, offset: number) {
      const { items, total } = await auth.page(limit, offset)
      return { items: items.map(view), total, limit, offset }
    },
    revoke: async (id: string): Promise<KeyView> => view(await auth.revoke(id)),
  }
}
