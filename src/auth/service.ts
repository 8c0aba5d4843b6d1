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
  /** tells the other instances a stored key was created or revoked (its id; undefined: there are none) */
  announce?: (keyId: string) => void
}

/** Wrong keys remembered at most (the oldest forgotten first): a flood of distinct guesses costs no memory. */
export const MAX_CACHED_MISSES = 1024
/** how often a key's last use is written, at most */
const LAST_USE_EVERY_MS = 60_000

/**
 * API keys and the users they stand for. Keys from the config and keys created through the admin API
 * both count; with none at all, authentication is off (the server then serves loopback only, see the plugin).
 * Stored keys change only through this service, which keeps its caches right and announces each change, so
 * the other instances drop theirs (forgetKeys, forgetUser): a key revoked on one is refused on all at once.
 */
export async function createAuthService ({ repository, configured, now = Date.now, announce }: AuthServiceDeps) {
  const fromConfig = new Map(configured.map((k) => [hashSecret(k.key), { id: k.user, scope: k.scope } as UserIdentity]))
  // the identity of each live stored key seen, so a busy client costs one lookup per process, not per request
  // (bounded by the keys admins created); wrong keys in a small LRU, so one retrying client is not a query each time
  const known = new Map<string, { user: UserIdentity, keyId: string }>()
  // bumped by each drop: a lookup that was under way then does not cache what it found
  let generation = 0
  const drop = (hash: string) => { generation++; known.delete(hash); lastUse.delete(hash) }
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
      let user = known.get(hash)?.user ?? null
      if (!user) {
        if (misses.has(hash)) { rememberMiss(hash); return null }
        const seen = generation
        const row = await repository.findByHash(hash)
        if (!row || row.revokedAt !== null) { rememberMiss(hash); return null }
        user = { id: row.userId, scope: row.scope }
        if (seen === generation) known.set(hash, { user, keyId: row.id })
      }
      if (now() - (lastUse.get(hash) ?? 0) > LAST_USE_EVERY_MS) {
        lastUse.set(hash, now())
        // the periodic write doubles as a re-check: a key revoked or deleted behind this cache's back
        // (another instance, an erase) stops working within a minute
        if (!await repository.markUsed(hash, new Date(now()))) {
          drop(hash)
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
      announce?.(row.id)
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
      drop(before.keyHash)
      stored--
      announce?.(id)
      return revoked
    },

    /** A user's stored keys were deleted (user.erase): they stop working at once. */
    async forgetUser (userId: string): Promise<void> {
      generation++
      for (const [hash, entry] of known) if (entry.user.id === userId) drop(hash)
      stored = await repository.countLive()
    },

    /** Every key looked up, right and wrong (announcements of other instances' writes may have been lost). */
    async forgetAll (): Promise<void> {
      generation++
      known.clear()
      misses.clear()
      lastUse.clear()
      stored = await repository.countLive()
    },

    /** Keys another instance created or revoked: revoked ones stop working here at once. */
    async forgetKeys (ids: readonly string[]): Promise<void> {
      const gone = new Set(ids)
      generation++
      for (const [hash, entry] of known) if (gone.has(entry.keyId)) drop(hash)
      stored = await repository.countLive()
    },
  }
}

export type AuthService = Awaited<ReturnType<typeof createAuthService>>
