import { Type, type Static, type TProperties } from '@sinclair/typebox'

// The whole configuration as one TypeBox schema: config.json is validated against it,
// every default lives here, and later sections add keys rather than new files.

// Sections reject unknown keys (a typo must not pass silently) and default to {} so
// an empty or missing config.json yields the embedded defaults.
const section = <T extends TProperties>(properties: T) => Type.Object(properties, { default: {}, additionalProperties: false })

const Integer = (def: number, description: string, minimum = 0) => Type.Integer({ default: def, minimum, description })

const Cron = (def: string, description: string) => Type.String({ default: def, minLength: 9, description })

const Server = section({
  host: Type.String({ default: '127.0.0.1', minLength: 1, description: 'interface to bind; 0.0.0.0 for all' }),
  port: Type.Integer({ default: 8000, minimum: 0, maximum: 65535 }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  debug: Type.Boolean({ default: false }),
  dataDir: Type.String({ default: './data', minLength: 1 }),
  databaseUrl: Type.Optional(Type.String({ minLength: 1, description: 'file:PATH; defaults to DATA_DIR/persona.db' })),
  maxFrameBytes: Type.Integer({ default: 1048576, minimum: 1024, description: 'largest WebSocket frame; bigger closes with 1009' }),
  maxConnections: Type.Integer({ default: 1000, minimum: 1 }),
  shutdownGraceMs: Type.Integer({ default: 10000, minimum: 0, description: 'time in-flight calls get on SIGTERM' }),
})

const Ollama = section({
  host: Type.String({ default: 'http://localhost:11434', pattern: '^https?://' }),
  model: Type.String({ default: 'llama3.1:8b', minLength: 1 }),
  embedModel: Type.String({ default: 'nomic-embed-text', minLength: 1 }),
  timeout: Type.Number({ default: 60, exclusiveMinimum: 0, description: 'seconds' }),
  temperature: Type.Number({ default: 0.7, minimum: 0, maximum: 2 }),
  topP: Type.Number({ default: 0.9, minimum: 0, maximum: 1 }),
  topK: Type.Integer({ default: 40, minimum: 1 }),
  pullMissing: Type.Boolean({ default: false }),
  recheckSeconds: Type.Number({ default: 15, exclusiveMinimum: 0, description: 'how often an unavailable Ollama is re-checked in the background' }),
})

const Session = section({
  maxContextMessages: Type.Integer({ default: 20, minimum: 1 }),
  summaryThreshold: Type.Integer({ default: 50, minimum: 2 }),
  timeoutHours: Type.Number({ default: 24, exclusiveMinimum: 0 }),
  cleanupCron: Cron('*/15 * * * *', 'when expired sessions are removed'),
  maxMessageChars: Type.Integer({ default: 8000, minimum: 1 }),
})

const Personas = section({
  maxSocialEnergy: Type.Integer({ default: 200, minimum: 1 }),
  energyRegenSeconds: Type.Integer({ default: 60, minimum: 1, description: 'one energy point back per this many idle seconds' }),
  fatigueRecoverySeconds: Type.Integer({ default: 300, minimum: 1, description: 'one fatigue point off per this many seconds' }),
  minAvailableTime: Type.Integer({ default: 30, minimum: 0, description: 'available only with more time left than this (s)' }),
  minSocialEnergy: Type.Integer({ default: 10, minimum: 0, description: 'available only with more energy than this' }),
  maxAvailableTime: Integer(600, 'available time regenerates up to this many seconds', 1),
  availableTimeRegenPerMinute: Integer(10, 'seconds of available time back per idle minute', 0),
  chatTurnSeconds: Integer(30, 'a user chat turn costs at least this many seconds of interaction (section 4 apply_fatigue)', 0),
  regenerationCron: Cron('* * * * *', 'when interaction state regenerates'),
})

const Vector = section({
  store: Type.Union([Type.Literal('chroma'), Type.Literal('local')], { default: 'chroma' }),
  chromaUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
})

const ApiKeyEntry = Type.Object({
  user: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_.@-]+$' }),
  key: Type.String({ minLength: 5 }),
  scope: Type.Union([Type.Literal('client'), Type.Literal('admin')]),
})

const Auth = section({
  apiKeys: Type.Array(ApiKeyEntry, { default: [] }),
  allowAnonymous: Type.Boolean({ default: false, description: 'serve without keys on a non-loopback address' }),
})

const RateLimits = section({
  enabled: Type.Boolean({ default: true }),
})

export const ConfigSchema = Type.Object({
  $schema: Type.Optional(Type.String()),
  server: Server,
  ollama: Ollama,
  session: Session,
  personas: Personas,
  vector: Vector,
  auth: Auth,
  rateLimits: RateLimits,
}, { additionalProperties: false })

export type AppConfig = Static<typeof ConfigSchema>
export type ApiKeyConfig = Static<typeof ApiKeyEntry>
