// Compose's variable substitution, for tests that read docker-compose.yml without a Docker engine.

/** Compose's variable substitution: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. */
export function interpolate (value: unknown, env: Record<string, string | undefined>): any {
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env))
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]))
  if (typeof value !== 'string') return value
  return value.replace(/\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)/g, (match, name?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$'
    if (bare !== undefined) return env[bare] ?? ''
    const current = env[name as string]
    const unset = op?.startsWith(':') ? !current : current === undefined
    if (op?.endsWith('?') && unset) throw new Error(`required variable ${name} is missing a value: ${arg}`)
    return op?.endsWith('-') && unset ? arg as string : current ?? ''
  })
}
