import type { ApiKeyConfig } from './schema.ts'
import { ConfigError } from './errors.ts'

/** Environment variables that override config.json, each mapped onto one key. */
interface EnvOverride {
  readonly name: string
  readonly path: readonly [string, string]
  /** turns the variable's text into the config value; bad text is returned as is so validation names it */
  readonly parse?: (text: string) => unknown
}

const integer = (text: string): unknown => (/^-?\d+$/.test(text.trim()) ? Number(text) : text)

// OLLAMA_HOST follows Ollama's own convention, where "host:port" without a scheme is common.
const httpUrl = (text: string): string => (/^[a-z]+:\/\//i.test(text) ? text : `http://${text}`)

const onOff = (text: string): unknown => {
  const value = text.trim().toLowerCase()
  if (['off', 'false', '0', 'no'].includes(value)) return false
  if (['on', 'true', '1', 'yes'].includes(value)) return true
  return text
}

/** `user:key:scope` entries, comma-separated (DESIGN.md). The key itself may contain colons. */
export function parseApiKeys (text: string): ApiKeyConfig[] {
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean)
  const keys: ApiKeyConfig[] = []
  for (const [index, entry] of entries.entries()) {
    const first = entry.indexOf(':')
    const last = entry.lastIndexOf(':')
    // the entry is not echoed: a malformed one may well be a bare secret
    if (first <= 0 || last === first) {
      throw new ConfigError(`invalid config: API_KEYS entry ${index + 1} of ${entries.length} is not user:key:scope`)
    }
    keys.push({ user: entry.slice(0, first), key: entry.slice(first + 1, last), scope: entry.slice(last + 1) as ApiKeyConfig['scope'] })
  }
  return keys
}

export const ENV_OVERRIDES: readonly EnvOverride[] = [
  { name: 'PORT', path: ['server', 'port'], parse: integer },
  { name: 'HOST', path: ['server', 'host'] },
  { name: 'DATA_DIR', path: ['server', 'dataDir'] },
  { name: 'DATABASE_URL', path: ['server', 'databaseUrl'] },
  { name: 'DATABASE_POOL_SIZE', path: ['server', 'databasePoolSize'], parse: integer },
  { name: 'LOG_LEVEL', path: ['server', 'logLevel'] },
  { name: 'MAX_CONNECTIONS', path: ['server', 'maxConnections'], parse: integer },
  { name: 'OLLAMA_HOST', path: ['ollama', 'host'], parse: httpUrl },
  { name: 'OLLAMA_MODEL', path: ['ollama', 'model'] },
  { name: 'CHROMA_URL', path: ['vector', 'chromaUrl'] },
  { name: 'VECTOR_STORE', path: ['vector', 'store'] },
  { name: 'API_KEYS', path: ['auth', 'apiKeys'], parse: parseApiKeys },
  { name: 'RATE_LIMITS', path: ['rateLimits', 'enabled'], parse: onOff },
  { name: 'LEGACY_STREAM_FRAMES', path: ['compat', 'legacyStreamFrames'], parse: onOff },
]
