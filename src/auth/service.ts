import type { ApiKeyConfig } from '../config/index.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import { hashSecret, newSecret, secretPrefix } from './keys.ts'
import type { ApiKeyRecord, ApiKeyRepository } from './repository.ts'

export interface AuthServiceDeps {
  repository: ApiKeyRepository
  /** keys from config.json / API_KEYS: they cannot be revoked through the API */
  configured: readonly ApiKeyConfig[]
  now?: () => number
}

/** Wrong keys remembered at most (the oldest forgotten first): a flood of distinct guesses costs no memory. */
export const MAX_CACHED_MISSES = 1024
/** how often a key's last use is written, at most */
const LAST_USE_EVERY_MS = 60_000

/**
 * API keys and the users they stand for. Keys from the config and keys created through the admin API
 * both count; with none at all, authentication is off (the server then serves loopback only, see the plugin).
 * Stored keys change only through this service (or tell it with forgetUser), which keeps its caches right.
 */
export async function createAuthService ({ repository, configured, now = Date.now }: AuthServiceDeps) {
  const fromConfig = new Map(configured.map((k) => [hashSecret(k.key), { id: k.user, scope: k.scope } as UserIdentity]))
  // the identity of each live stored key seen, so a busy client costs one lookup per process, not per request
  // (bounded by the keys admins created); wrong keys in a small LRU, so one retrying client is not a query each time
  const known = new Map<string, UserIdentity>()
  const misses = new Map<string, true>()
  const rememberMiss = (hash: string) => {
    misses.delete(hash)
    misses.set(hash, true)
    if (misses.size > MAX_CACHED_MISSES) misses.delete(misses.keys().next().value as string)
  }
  const lastUse = new Map<string, number>()
  let stored = await repository.countLive()

  return {
    enabled: (): boolean => fromConfig.size > 0 || stored > 0,

    async identify (secret: string | undefined): Promise<UserIdentity | null> {
      if (secret === undefined || secret.length > 512) return null
      const hash = hashSecret(secret)
      const configuredUser = fromConfig.get(hash)
      if (configuredUser) return configuredUser
      let user = known.get(hash) ?? null
      if (!user) {
        if (misses.has(hash)) { rememberMiss(hash); return null }
        const row = await repository.findByHash(hash)
        if (!row || row.revokedAt !== null) { rememberMiss(hash); return null }
        user = { id: row.userId, scope: row.scope }
        known.set(hash, user)
      }
      if (now() - (lastUse.get(hash) ?? 0) > LAST_USE_EVERY_MS) {
        lastUse.set(hash, now())
        // the periodic write doubles as a re-check: a key revoked or deleted behind this cache's back
        // (another instance, an erase) stops working within a minute
        if (!await repository.markUsed(hash, new Date(now()))) {
          known.delete(hash)
          lastUse.delete(hash)
          stored = await repository.countLive()
          rememberMiss(hash)
          return null
        }
      }
      return user
    },

    /** A new key; the secret is in this result only and never again. */
    async create (input: { userId: string, scope: UserIdentity['scope'], label?: string }): Promise<ApiKeyRecord & { secret: string }> {
      const secret = newSecret()
      const row = await repository.create({
        userId: input.userId, scope: input.scope, label: input.label ?? '', keyHash: hashSecret(secret), keyPrefix: secretPrefix(secret),
      })
      stored++
      misses.delete(row.keyHash)
      return { ...row, secret }
    },

    /** keys whose lookup is remembered, right and wrong (bounded: see MAX_CACHED_MISSES) */
    cachedKeys: (): number => known.size + misses.size,

    page: (limit: number, offset: number) => repository.page(limit, offset),

    async revoke (id: string): Promise<ApiKeyRecord> {
      const before = await repository.findById(id)
      if (!before) throw domainError(ErrorCode.NotFound, `API key not found: ${id}`, { id })
      if (before.revokedAt) return before
      const revoked = (await repository.revoke(id, new Date(now()))) ?? before
      known.delete(before.keyHash)
      lastUse.delete(before.keyHash)
      stored--
      return revoked
    },

    /** A user's stored keys were deleted (user.erase): they stop working at once. */
    async forgetUser (userId: string): Promise<void> {
      for (const [hash, user] of known) {
        if (user.id !== userId) continue
        known.delete(hash)
        lastUse.delete(hash)
      }
      stored = await repository.countLive()
    },
  }
}

export type AuthService = Awaited<ReturnType<typeof createAuthService>>
