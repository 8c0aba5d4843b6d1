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

const Fraction = (def: number, description: string) => Type.Number({ default: def, minimum: 0, maximum: 1, description })

const Memory = section({
  scoring: section({
    content: Type.Number({ default: 1, minimum: 0, maximum: 2, description: 'weight of content relevance (keywords, entities, sentiment)' }),
    engagement: Type.Number({ default: 1, minimum: 0, maximum: 2, description: 'weight of user engagement (length, questions, follow-ups)' }),
    persona: Type.Number({ default: 1, minimum: 0, maximum: 2, description: 'weight of relevance to the persona (topics, traits)' }),
    recency: Type.Number({ default: 1, minimum: 0, maximum: 2, description: 'weight of the small recency term' }),
  }),
  retrieval: section({
    similarity: Fraction(0.6, 'weight of cosine similarity in the combined score'),
    importance: Fraction(0.3, 'weight of importance'),
    recency: Fraction(0.1, 'weight of recency'),
    recencyHalfLifeDays: Type.Number({ default: 7, exclusiveMinimum: 0 }),
    promptMemories: Integer(5, 'memories put into each chat prompt', 0),
    minSimilarity: Type.Number({ default: 0.05, minimum: -1, maximum: 1, description: 'memories less similar than this never reach a prompt' }),
  }),
  pruning: section({
    maxMemories: Integer(1000, 'a persona above this many memories needs pruning', 1),
    targetCount: Integer(800, 'pruning brings a persona down towards this many', 1),
    minMemories: Integer(10, 'never prune below this many', 0),
    importanceThreshold: Fraction(0.6, 'only memories below this importance are pruned'),
    batchSize: Integer(200, 'most memories one prune removes', 1),
    maxImportantFraction: Fraction(0.25, 'abort when the plan would remove more than this fraction of memories at or above the threshold'),
    protectAccessedWithinHours: Type.Number({ default: 24, minimum: 0 }),
    protectAccessCount: Integer(5, 'memories accessed this often are never pruned', 1),
    protectYoungerThanHours: Type.Number({ default: 24, minimum: 0 }),
    purgeAfterDays: Type.Number({ default: 30, minimum: 0, description: 'pruned memories are deleted for good after this; until then memory.restore brings them back' }),
  }),
  decay: section({
    enabled: Type.Boolean({ default: true }),
    mode: Type.Union(['linear', 'exponential', 'logarithmic', 'step', 'access_based'].map((m) => Type.Literal(m)), { default: 'access_based' }),
    rate: Type.Number({ default: 0.1, minimum: 0, maximum: 10, description: 'per day' }),
    intervalHours: Type.Number({ default: 6, exclusiveMinimum: 0 }),
    floor: Fraction(0.1, 'decay never takes importance below this'),
    stepDays: Type.Number({ default: 7, exclusiveMinimum: 0, description: 'step mode: one step per this many days' }),
    maxDecayDays: Type.Number({ default: 90, exclusiveMinimum: 0, description: 'age beyond this decays no further' }),
    protectImportance: Fraction(0.9, 'memories stored at or above this importance never decay'),
    autoPrune: Type.Boolean({ default: true }),
    autoPruneThreshold: Integer(1000, 'after decay, personas above this many memories are pruned', 1),
  }),
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
  memory: Memory,
  auth: Auth,
  rateLimits: RateLimits,
}, { additionalProperties: false })

export type AppConfig = Static<typeof ConfigSchema>
export type ApiKeyConfig = Static<typeof ApiKeyEntry>
