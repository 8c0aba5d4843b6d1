import type { ApiKeyConfig } from '../config/index.ts'
import type { PrismaClient } from '../generated/prisma/client.ts'
import { domainError, ErrorCode } from '../rpc/errors.ts'
import type { UserIdentity } from '../rpc/caller.ts'
import { hashSecret, newSecret, secretPrefix } from './keys.ts'

export interface AuthServiceDeps {
  prisma: PrismaClient
  /** keys from config.json / API_KEYS: they cannot be revoked through the API */
  configured: readonly ApiKeyConfig[]
  now?: () => number
}

/**
 * API keys and the users they stand for. Keys from the config and keys created through the admin API
 * both count; with none at all, authentication is off (the server then serves loopback only, see the plugin).
 */
/** Wrong keys remembered at most (the oldest forgotten first): a flood of distinct guesses costs no memory. */
export const MAX_CACHED_MISSES = 1024

export async function createAuthService ({ prisma, configured, now = Date.now }: AuthServiceDeps) {
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
  let stored = await prisma.apiKey.count({ where: { revokedAt: null } })

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
        const row = await prisma.apiKey.findUnique({ where: { keyHash: hash } })
        if (!row || row.revokedAt !== null) { rememberMiss(hash); return null }
        user = { id: row.userId, scope: row.scope as UserIdentity['scope'] }
        known.set(hash, user)
      }
      if (now() - (lastUse.get(hash) ?? 0) > 60_000) {
        lastUse.set(hash, now())
        await prisma.apiKey.update({ where: { keyHash: hash }, data: { lastUsedAt: new Date(now()) } })
      }
      return user
    },

    /** A new key; the secret is in this result only and never again. */
    async create (input: { userId: string, scope: UserIdentity['scope'], label?: string }) {
      const secret = newSecret()
      const row = await prisma.apiKey.create({
        data: { userId: input.userId, scope: input.scope, label: input.label ?? '', keyHash: hashSecret(secret), keyPrefix: secretPrefix(secret) },
      })
      stored++
      misses.delete(row.keyHash)
      return { ...row, secret }
    },

    /** keys whose lookup is remembered, right and wrong (bounded: see MAX_CACHED_MISSES) */
    cachedKeys: (): number => known.size + misses.size,

    list: () => prisma.apiKey.findMany({ orderBy: { createdAt: 'desc' } }),

    async revoke (id: string) {
      const row = await prisma.apiKey.findUnique({ where: { id } })
      if (!row) throw domainError(ErrorCode.NotFound, `API key not found: ${id}`, { id })
      if (row.revokedAt) return row
      const revoked = await prisma.apiKey.update({ where: { id }, data: { revokedAt: new Date(now()) } })
      known.delete(row.keyHash)
      lastUse.delete(row.keyHash)
      stored--
      return revoked
    },
  }
}

export type AuthService = Awaited<ReturnType<typeof createAuthService>>
