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
  // anything else (a bare path, mysql://, a typo) must stop start-up: a bare `postgresql:...` was once taken as a file path
  databaseUrl: Type.Optional(Type.String({ pattern: '^(file:.+|postgres(ql)?://.+)$', description: 'file:PATH (SQLite) or postgresql://USER@HOST:PORT/DB (PostgreSQL); defaults to DATA_DIR/persona.db' })),
  databasePoolSize: Type.Integer({ default: 10, minimum: 1, maximum: 1000, description: 'PostgreSQL only: connections per instance (one more listens for the other instances); keep instances x (this + 1) under the server\'s max_connections' }),
  maxFrameBytes: Type.Integer({ default: 1048576, minimum: 1024, description: 'largest WebSocket frame; bigger closes with 1009' }),
  maxConnections: Type.Integer({ default: 1000, minimum: 1 }),
  maxBufferedBytes: Type.Integer({ default: 4194304, minimum: 1024, description: 'send bound per connection (WebSocket, MCP session): past it events are dropped and its requests no longer read' }),
  slowClientGraceMs: Type.Integer({ default: 10000, minimum: 0, description: 'a connection over server.maxBufferedBytes this long is closed (1008; MCP HTTP: session ended), at once past twice the bound' }),
  shutdownGraceMs: Type.Integer({ default: 10000, minimum: 0, description: 'time in-flight calls get on SIGTERM' }),
  allowedOrigins: Type.Array(Type.String({ pattern: '^https?://' }), {
    default: [], description: 'browser origins allowed to open /mcp (WebSocket or HTTP) besides the server\'s own loopback origins',
  }),
  allowedHosts: Type.Array(Type.String({ minLength: 1, pattern: '^[^\\s:/]+$|^\\[[0-9A-Fa-f:.]+\\]$' }), {
    default: [], description: 'Host names served besides localhost, 127.0.0.1 and [::1] (DNS-rebinding guard); bound to a non-loopback address with none set, any Host',
  }),
  heartbeatSeconds: Type.Integer({ default: 30, minimum: 0, description: 'ping WebSocket clients this often; one that misses a pong is dropped (0: off)' }),
  idleTimeoutSeconds: Type.Integer({ default: 900, minimum: 0, description: 'close WebSocket connections silent this long (0: never)' }),
  tls: Type.Optional(Type.Object({ cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1 }) }, {
    additionalProperties: false, description: 'PEM files: with them the same port serves https and wss',
  })),
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
  maxConcurrent: Integer(2, 'replies generated at once; more wait in the queue', 1),
  maxQueue: Integer(32, 'replies waiting for the model; beyond it a request is refused as busy', 0),
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
  refuseWhenExhausted: Type.Boolean({ default: false, description: 'games: persona.switch and user chats are refused (-32002) while a persona is unavailable, and user chats cost the full section-4 price; by default state only colours the answers' }),
  userChatFatigueCap: Integer(30, 'user chats alone never push fatigue above this (persona-to-persona turns can)', 0),
  regenerationCron: Cron('* * * * *', 'when interaction state regenerates'),
})

const Vector = section({
  store: Type.Union([Type.Literal('chroma'), Type.Literal('local')], { default: 'chroma' }),
  chromaUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  recheckSeconds: Type.Number({ default: 10, exclusiveMinimum: 0, description: 'how often an unreachable Chroma is re-checked' }),
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
    maxImportantFraction: Fraction(0.25, 'abort (remove nothing) when more than this fraction of the excess over the target could only be cut from memories that matter (at or above the threshold, or protected)'),
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

// Relationship rules of original-api.md section 5 (RelationshipManager and CompatibilityEngine).
const Dimension = Type.Number({ minimum: -1, maximum: 1 })
const ContextBonus = Type.Object({
  affinity: Type.Optional(Dimension), trust: Type.Optional(Dimension), respect: Type.Optional(Dimension), intimacy: Type.Optional(Dimension),
}, { additionalProperties: false })

const Relationships = section({
  initialValue: Fraction(0.5, 'all four dimensions of a new relationship'),
  qualityStep: Fraction(0.1, 'an interaction moves a dimension by quality x this x duration factor'),
  durationNormaliserMinutes: Type.Number({ default: 30, exclusiveMinimum: 0, description: 'interactions this long or longer count in full' }),
  multipliers: section({
    affinity: Type.Number({ default: 1, minimum: 0, maximum: 2 }),
    trust: Type.Number({ default: 0.8, minimum: 0, maximum: 2 }),
    respect: Type.Number({ default: 0.9, minimum: 0, maximum: 2 }),
    intimacy: Type.Number({ default: 0.7, minimum: 0, maximum: 2 }),
  }),
  contextBonuses: Type.Record(Type.String({ minLength: 1 }), ContextBonus, {
    default: {
      conflict: { trust: -0.2, affinity: -0.1 },
      collaboration: { trust: 0.1, respect: 0.1 },
      casual: { affinity: 0.1 },
      deep_conversation: { intimacy: 0.1, trust: 0.05 },
      professional: { respect: 0.1 },
    },
    description: 'added per interaction context; configured contexts add to or replace the default ones',
  }),
  typeThresholds: section({
    minInteractions: Integer(3, 'fewer interactions than this: stranger', 0),
    hostileBelow: Fraction(0.3, 'average of the four below this: enemy or rival'),
    enemyAffinityBelow: Fraction(0.2, 'a hostile pair below this affinity is enemy, else rival'),
    acquaintanceBelow: Fraction(0.5, 'average below this: acquaintance'),
    friendBelow: Fraction(0.7, 'average below this: friend; at or above: romantic, mentor or close_friend'),
    romanticIntimacyAbove: Fraction(0.8, 'close pair above this intimacy: romantic'),
    mentorRespectAbove: Fraction(0.8, 'close pair above this respect (and interactions): mentor'),
    mentorInteractionsAbove: Integer(10, 'mentor needs more interactions than this', 0),
  }),
  compatibilityWeights: section({
    personality: Fraction(0.35, 'weight of Big-Five personality'),
    social: Fraction(0.25, 'weight of charisma, intelligence and rank'),
    interests: Fraction(0.25, 'weight of shared topic preferences'),
    history: Fraction(0.15, 'weight of the existing relationship'),
  }),
  predictions: section({
    excellent: Fraction(0.8, 'overall above this: excellent'),
    veryGood: Fraction(0.65, 'overall above this: very_good'),
    good: Fraction(0.5, 'overall above this: good'),
    challenging: Fraction(0.35, 'overall above this: challenging, else difficult'),
  }),
  userTurnMinutes: Type.Number({ default: 1, exclusiveMinimum: 0, description: 'how long one user chat turn counts in a persona-user relationship' }),
})

// Emotional state of original-api.md section 6, plus the drift and regeneration the earlier server never ran.
const Emotions = section({
  initial: section({
    mood: Type.Number({ default: 0.5, minimum: -1, maximum: 1 }),
    energyLevel: Fraction(0.7, 'first-read energy'),
    stressLevel: Fraction(0.3, 'first-read stress'),
    curiosity: Fraction(0.6, 'first-read curiosity'),
    socialBattery: Fraction(0.8, 'first-read social battery'),
  }),
  moodPerTurn: Fraction(0.05, 'a fully warm turn lifts mood by this, a hostile one lowers it'),
  stressPerTurn: Fraction(0.05, 'a fully warm turn eases stress by this, a hostile one raises it'),
  energyDrainPerTurn: Fraction(0.01, 'energy every turn costs'),
  socialBatteryDrainPerTurn: Fraction(0.02, 'social battery every turn costs'),
  regenerationPerHour: Fraction(0.25, 'share of the gap to the initial values closed per hour'),
  regenerationCron: Cron('*/5 * * * *', 'when emotional states regenerate'),
})

// Persona-to-persona conversations of original-api.md section 4.
const PersonaConversations = section({
  continueThreshold: Type.Integer({ default: 40, minimum: 0, maximum: 100, description: 'a conversation continues while the score is at least this' }),
  minTokenBudget: Integer(50, 'and while more tokens than this remain', 0),
  defaultTokenBudget: Integer(1000, 'token budget of a conversation that names none', 1),
  defaultTopic: Type.String({ default: 'general', minLength: 1 }),
  cooldownBaseSeconds: Integer(300, 'cooldown both participants get when a conversation ends', 0),
  satisfyingScoreAbove: Type.Integer({ default: 70, minimum: 0, maximum: 100, description: 'final score above this: cooldown x satisfyingMultiplier' }),
  satisfyingMultiplier: Type.Number({ default: 0.5, minimum: 0 }),
  unsatisfyingScoreBelow: Type.Integer({ default: 30, minimum: 0, maximum: 100, description: 'final score below this: cooldown x unsatisfyingMultiplier' }),
  unsatisfyingMultiplier: Type.Number({ default: 2, minimum: 0 }),
  fatigueCooldownDivisor: Type.Number({ default: 100, exclusiveMinimum: 0, description: 'cooldown x (1 + first participant fatigue / this)' }),
  maxTurns: Integer(20, 'most turns one conversation.run plays', 1),
  turnMinSeconds: Integer(30, 'a turn lasts at least this long', 0),
})

// Compatibility with clients written for the earlier server (original-api.md) that cannot change.
const Compat = section({
  legacyStreamFrames: Type.Boolean({ default: false, description: 'send every stream event as a response with the request id, as the earlier server did, not JSON-RPC 2.0 notifications (env LEGACY_STREAM_FRAMES; per connection ?compat=legacy or ?compat=jsonrpc)' }),
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

// Model Context Protocol faces on /mcp (Streamable HTTP, WebSocket subprotocol `mcp`, stdio).
// Browser Origins are checked against server.allowedOrigins, like every other use of /mcp.
const Mcp = section({
  sessionIdleMinutes: Type.Number({ default: 30, exclusiveMinimum: 0, description: 'an MCP HTTP session idle this long is closed; its id then gets 404' }),
  pageSize: Integer(100, 'tools, resources and prompts per list page (nextCursor beyond)', 1),
  maxSessionsPerUser: Integer(20, 'MCP HTTP sessions one user may hold; a new one evicts their oldest idle session', 1),
  maxSubscriptionsPerSession: Integer(100, 'resources/subscribe URIs one MCP session may hold at once', 1),
  updateCoalesceMs: Integer(300, 'notifications/resources/updated for one URI at most once per this many ms (trailing)', 0),
  taskLeaseSeconds: Integer(60, 'several instances: a task (tools/call as one) whose instance has not vouched for it this long is failed (the instance died)', 1),
})

const Rate = (perSecond: number, burst: number, what: string) => section({
  perSecond: Type.Number({ default: perSecond, exclusiveMinimum: 0, description: `${what}: sustained requests per second` }),
  burst: Type.Integer({ default: burst, minimum: 1, description: `${what}: requests allowed at once` }),
})

// Persona bundles (persona.export_bundle / import_bundle): the zip's bound, on both sides
const Cards = section({
  maxBundleBytes: Integer(20971520, 'largest persona bundle zip exported or imported; it may unpack to at most 4 times this', 1024),
})

const RateLimits = section({
  enabled: Type.Boolean({ default: true, description: 'RATE_LIMITS=off turns every request rate limit off (benchmarks)' }),
  connection: Rate(50, 100, 'each JSON-RPC connection'),
  // a user's requests may land on any instance: the rule is the cluster's total, shared among live instances
  key: Rate(200, 400, 'each API key (user) over all its connections, on all instances together (each of N live instances admits 1/N, a burst of at least 1)'),
  rest: section({
    max: Type.Integer({ default: 600, minimum: 1, description: 'REST requests per client address per window' }),
    windowSeconds: Type.Integer({ default: 60, minimum: 1 }),
  }),
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
  mcp: Mcp,
  rateLimits: RateLimits,
  relationships: Relationships,
  emotions: Emotions,
  personaConversations: PersonaConversations,
  compat: Compat,
  cards: Cards,
}, { additionalProperties: false })

export type AppConfig = Static<typeof ConfigSchema>
export type ApiKeyConfig = Static<typeof ApiKeyEntry>
