import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ConfigSchema, type AppConfig } from './schema.ts'
import { ENV_OVERRIDES } from './env.ts'
import { ConfigError } from './errors.ts'
import { describeSchemaError } from '../util/schema-errors.ts'

export { ConfigError }


type Env = Readonly<Record<string, string | undefined>>
type Raw = Record<string, unknown>

export interface LoadOptions {
  /** defaults to process.env: the only place the server reads the environment */
  env?: Env
  /** path of config.json; defaults to PERSONA_CONFIG, then ./config.json (optional) */
  file?: string
}

/** file -> env overrides -> defaults -> validated, frozen config. */
export function loadConfig (options: LoadOptions = {}): Readonly<AppConfig> {
  const env = options.env ?? process.env
  const explicit = options.file ?? env.PERSONA_CONFIG
  const file = path.resolve(explicit ?? 'config.json')
  const raw = readConfigFile(file, explicit !== undefined, options.file === undefined && explicit !== undefined ? 'PERSONA_CONFIG' : undefined)
  const origins = new Map<string, string>()
  for (const { name, path: [section, key], parse } of ENV_OVERRIDES) {
    const text = env[name]
    if (text === undefined || text === '') continue
    const sectionValue = (raw[section] ??= {})
    if (typeof sectionValue !== 'object' || sectionValue === null) continue
    ;(sectionValue as Raw)[key] = parse ? parse(text) : text
    origins.set(`/${section}/${key}`, name)
  }
  return parseConfig(raw, { source: path.basename(file), origins })
}

/** Applies defaults to a raw config object and validates it (tests build configs with this). */
export function parseConfig (raw: unknown, where: { source?: string, origins?: Map<string, string> } = {}): Readonly<AppConfig> {
  const value = Value.Default(ConfigSchema, structuredClone(raw ?? {}))
  const first = Value.Errors(ConfigSchema, value).First()
  if (first) {
    const key = first.path.slice(1).replaceAll('/', '.') || '(root)'
    const origin = [...(where.origins ?? [])].find(([p]) => first.path.startsWith(p))?.[1]
    const from = origin ? ` (from ${origin})` : where.source ? ` (in ${where.source})` : ''
    // anything under the API keys may be a secret, except the parts that name a user or a scope
    const secret = first.path.startsWith('/auth/apiKeys') && !/\/(user|scope)$/.test(first.path)
    const shown = secret ? '(secret, not shown)' : describe(first.value)
    throw new ConfigError(`invalid config: ${key} = ${shown}: ${expectation(first)}${from}`)
  }
  return deepFreeze(value as AppConfig)
}

/** The database URL: DATABASE_URL / server.databaseUrl, or a SQLite file in the data directory. */
export function databaseUrl (config: AppConfig): string {
  return config.server.databaseUrl ?? `file:${path.join(config.server.dataDir, 'persona.db')}`
}

function readConfigFile (file: string, required: boolean, origin?: string): Raw {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    const from = origin ? ` (from ${origin})` : ''
    throw new ConfigError(`cannot read config file ${file}${from}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a JSON object`)
  }
  return parsed as Raw
}

function expectation (error: { message: string, schema: TSchema }): string {
  return describeSchemaError(error).toLowerCase()
}

function describe (value: unknown): string {
  if (value === undefined) return '(missing)'
  const text = JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
