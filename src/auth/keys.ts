import { createHash, randomBytes } from 'node:crypto'

/** A new API key secret: a recognisable prefix and 192 random bits. */
export const newSecret = (): string => `pmk_${randomBytes(24).toString('base64url')}`

/** Keys are stored and compared as SHA-256 digests only; the secret itself is never kept. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex')

/** The part of a key shown in listings, enough to tell keys apart. */
export const secretPrefix = (secret: string): string => secret.slice(0, 8)

export interface KeySources {
  authorization?: string | string[]
  apiKeyHeader?: string | string[]
  query?: unknown
  protocols?: string | string[]
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)

/**
 * The key a client presented: `Authorization: Bearer <key>`, `X-API-Key`, `?api_key=` (browsers cannot
 * set headers on a WebSocket), or a WebSocket subprotocol `apikey.<key>` offered beside the real one.
 */
export function presentedKey ({ authorization, apiKeyHeader, query, protocols }: KeySources): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(first(authorization) ?? '')?.[1]
  if (bearer) return bearer
  const header = first(apiKeyHeader)?.trim()
  if (header) return header
  const fromQuery = (query as { api_key?: unknown } | undefined)?.api_key
  if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery
  const offered = (first(protocols) ?? '').split(',').map((p) => p.trim())
  return offered.find((p) => p.startsWith('apikey.'))?.slice('apikey.'.length) || undefined
}
