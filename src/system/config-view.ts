import type { AppConfig } from '../config/index.ts'

// The effective config as operators may see it (GET /admin/v1/config): every secret replaced.

const REDACTED = '[redacted]'
/** names whose values are secrets wherever they appear (a future `ollama.apiKey`, a `password`, a `token`) */
const SECRET_NAME = /(key|password|passwd|secret|token|credential)s?$/i

/** Credentials inside URLs: `http://user:pass@host` and `?token=...` query values. */
const redactUrl = (text: string) => text
  .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, `$1:${REDACTED}@`)
  .replace(/([?&][^=&#]*(?:key|password|secret|token)[^=&#]*=)[^&#]*/gi, `$1${REDACTED}`)

/** The config with every secret replaced; API keys keep only who they are for and their scope. */
export function redactConfig (config: Readonly<AppConfig>): unknown {
  const walk = (value: unknown, name: string, path: string): unknown => {
    if (path === '/auth/apiKeys' && Array.isArray(value)) {
      return value.map((k: { user: string, scope: string }) => ({ user: k.user, scope: k.scope }))
    }
    // strings only: a count such as `maxTokens` is no secret, and the documented type stays true
    if (typeof value === 'string') return SECRET_NAME.test(name) ? REDACTED : redactUrl(value)
    if (Array.isArray(value)) return value.map((v, i) => walk(v, '', `${path}/${i}`))
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k, `${path}/${k}`)]))
    }
    return value
  }
  return walk(config, '', '')
}
