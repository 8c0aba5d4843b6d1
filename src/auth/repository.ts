// The port the auth domain needs from a database: API keys created through the admin API (only their hashes).
import type { UserIdentity } from '../rpc/caller.ts'

export interface ApiKeyRecord {
  id: string
  userId: string
  scope: UserIdentity['scope']
  label: string
  /** sha-256 hex of the secret */
  keyHash: string
  keyPrefix: string
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

export interface NewApiKey {
  userId: string
  scope: UserIdentity['scope']
  label: string
  keyHash: string
  keyPrefix: string
}

export interface ApiKeyRepository {
  /** keys not revoked */
  countLive (): Promise<number>
  findByHash (keyHash: string): Promise<ApiKeyRecord | null>
  findById (id: string): Promise<ApiKeyRecord | null>
  create (key: NewApiKey): Promise<ApiKeyRecord>
  /** records a use of a live key; false when the key is revoked or gone (elsewhere: another instance, an erase) */
  markUsed (keyHash: string, at: Date): Promise<boolean>
  /** sets revokedAt (first revocation only); the key as stored afterwards, null when there is none */
  revoke (id: string, at: Date): Promise<ApiKeyRecord | null>
  /** newest first */
  page (limit: number, offset: number): Promise<{ items: ApiKeyRecord[], total: number }>
}
