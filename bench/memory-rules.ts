import { rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { applyMigrations } from '../src/store/sqlite/migrations.ts'
import { createScorer, scoringVocabulary, type PersonaSignals } from '../src/memory/rules/scoring.ts'
import { DAY_MS, DECAY_MODES, decayedImportance, isDecayProtected, type DecayMode, type DecayParams } from '../src/memory/rules/decay.ts'
import { runDecay } from '../src/store/sqlite/memories-decay.ts'
import { fmt, tempDir } from './lib.ts'

// Memory rules against naive baselines in the same process: scoring per message (one pass with Set
// lookups vs a regex per vocabulary word) and decay of 100k memories (one set-based UPDATE vs
// SELECT all + JS + UPDATE per row in one transaction). Fixed sizes: it ends by itself in about a minute.
// npx tsx bench/memory-rules.ts [messages=10000] [memories=100000] [reps=2]

const MESSAGES = Number(process.argv[2] ?? 10_000)
const MEMORIES = Number(process.argv[3] ?? 100_000)
const REPS = Number(process.argv[4] ?? 2)
const ARIA: PersonaSignals = { topicPreferences: { music: 95, stories: 90, travel: 85, gossip: 80, magic: 70, adventure: 85, art: 80, local_news: 75 }, personalityTraits: { extroverted: 90, creative: 85, empathetic: 80, curious: 75, optimistic: 85 } }
const WEIGHTS = { content: 1, engagement: 1, persona: 1, recency: 1 }

let seed = 42
const rand = () => { seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; return seed / 2_147_483_648 }
const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T

const OPENERS = ['', 'Hey Aria, ', 'So, ', 'Honestly ', 'You know what? ']
const BODIES = ['my name is Orin and I keep bees in Dunmore', 'I went to the market today and bought some bread', 'can you sing me a song about the sea',
  'my sister is getting married in June and I am so nervous', 'tell me a story about dragons and lost treasure', 'I had a long day at work',
  'what do you think about the weather lately', 'ok', 'thanks, that was lovely', 'I love music more than anything', 'have you heard the rumour about the mayor',
  'we travelled to Highmoor last spring, 3 days on the road', 'do you know any spells for a sick horse', 'lol yeah']
const message = () => `${pick(OPENERS)}${pick(BODIES)}${rand() < 0.5 ? '?' : '.'}${rand() < 0.3 ? ` And ${pick(BODIES)}.` : ''}`

/** The naive way: one case-insensitive word-boundary regex per vocabulary entry, tested against every message. */
function naiveScorer (persona: PersonaSignals) {
  const patterns = scoringVocabulary(persona).map((w) => new RegExp(`\\b${w.replace(/[^a-z0-9 ']/g, '')}\\b`, 'i'))
  return (text: string) => {
    let hits = 0
    for (const re of patterns) if (re.test(text)) hits++
    return 0.51 + 0.29 * (1 - Math.exp(-hits / 5))
  }
}

/** Best of 3 timed passes over all messages, after one warm-up pass (the JIT settles first). */
function perMessageMicros (fn: (text: string) => unknown, texts: string[]): number {
  let best = Infinity
  for (let pass = 0; pass < 4; pass++) {
    const start = performance.now()
    for (const t of texts) fn(t)
    if (pass > 0) best = Math.min(best, performance.now() - start)
  }
  return (best * 1000) / texts.length
}

const texts = Array.from({ length: MESSAGES }, message)
const recent = ['I keep bees', 'the weather was awful yesterday']
const scorer = createScorer(ARIA, WEIGHTS)
const ours = perMessageMicros((text) => scorer({ text, recentUserTexts: recent }), texts)
const naive = perMessageMicros(naiveScorer(ARIA), texts)
const lines = ['| work | ours | baseline | baseline / ours |', '|---|---|---|---|',
  `| score one message (µs, ${MESSAGES} msgs; target < 50) | ${fmt(ours, 2)} | ${fmt(naive, 2)} (regex per word, ${scoringVocabulary(ARIA).length} words) | **${fmt(naive / ours, 1)}x** |`]

// ---- decay of MEMORIES rows ----
const dir = tempDir('bench-decay-')
const db = new Database(path.join(dir, 'bench.db'))
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
applyMigrations(db, fileURLToPath(new URL('../prisma/migrations', import.meta.url)))
const NOW = Date.now()
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00')
const personas = Array.from({ length: 10 }, (_, i) => `persona-${i}`)
const insertPersona = db.prepare(`INSERT INTO "Persona" (id, name, nameKey, personalityTraits, topicPreferences, updatedAt) VALUES (?, ?, ?, '{}', '{}', ?)`)
const insertMemory = db.prepare(`INSERT INTO "Memory" (id, personaId, content, importance, baseImportance, relatedPersonas, metadata, accessCount, lastAccessedAt, createdAt, prunedAt)
  VALUES (?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?)`)
const insertStart = performance.now()
db.transaction(() => {
  for (const p of personas) insertPersona.run(p, p, p, iso(NOW))
  for (let i = 0; i < MEMORIES; i++) {
    const created = NOW - rand() * 200 * DAY_MS
    const base = rand() < 0.05 ? 0.95 : 0.51 + rand() * 0.29
    insertMemory.run(`m${i}`, personas[i % personas.length], `memory ${i}`, base, base, rand() < 0.05 ? '{"pinned":true}' : '{}', Math.floor(rand() * 6),
      rand() < 0.4 ? iso(created + rand() * (NOW - created)) : null, iso(created), rand() < 0.05 ? iso(NOW - DAY_MS) : null)
  }
})()
const insertMs = performance.now() - insertStart

const PARAMS: Omit<DecayParams, 'mode'> = { rate: 0.1, floor: 0.1, stepDays: 7, maxDecayDays: 90, protectImportance: 0.9 }
const reset = () => db.prepare('UPDATE "Memory" SET importance = baseImportance').run()
const checksum = () => (db.prepare('SELECT total(importance) AS s FROM "Memory"').get() as { s: number }).s

interface Row { id: string, importance: number, baseImportance: number, accessCount: number, lastAccessedAt: string | null, createdAt: string, metadata: string }
const selectLive = db.prepare('SELECT id, importance, baseImportance, accessCount, lastAccessedAt, createdAt, metadata FROM "Memory" WHERE prunedAt IS NULL')
const updateOne = db.prepare('UPDATE "Memory" SET importance = ? WHERE id = ?')
/** The row-by-row way: read every live memory, compute in JS, write each changed row. */
const rowByRow = (mode: DecayMode) => db.transaction(() => {
  for (const r of selectLive.all() as Row[]) {
    const m = { ...r, createdAt: Date.parse(r.createdAt), lastAccessedAt: r.lastAccessedAt === null ? null : Date.parse(r.lastAccessedAt) }
    if (isDecayProtected(m, PARAMS)) continue
    const v = decayedImportance(m, { ...PARAMS, mode }, NOW)
    if (v !== r.importance) updateOne.run(v, r.id)
  }
})()

/** Best of REPS runs, each from undecayed rows (the reset is not timed): the host may be shared. */
let cpuMs = 0
const timed = (fn: () => unknown): number => {
  let best = Infinity
  for (let i = 0; i < REPS; i++) {
    reset()
    const [s, c] = [performance.now(), process.cpuUsage()]
    fn()
    const wall = performance.now() - s
    if (wall < best) { best = wall; const u = process.cpuUsage(c); cpuMs = (u.user + u.system) / 1000 }
  }
  return best
}
for (const mode of DECAY_MODES) {
  let decayed = 0
  const setMs = timed(() => { decayed = runDecay(db, { mode, now: NOW, ...PARAMS }).decayed })
  const setCpu = cpuMs
  const setSum = checksum()
  const rowMs = timed(() => rowByRow(mode))
  const same = Math.abs(checksum() - setSum) < 1e-6 ? 'same result' : 'RESULTS DIFFER'
  lines.push(`| decay ${mode}, ${MEMORIES} memories (ms; target < 1000; ${decayed} decayed) | ${fmt(setMs, 0)} (cpu ${fmt(setCpu, 0)}) | ${fmt(rowMs, 0)} (row by row, ${same}) | **${fmt(rowMs / setMs, 1)}x** |`)
}
const oneMs = timed(() => runDecay(db, { mode: 'access_based', personaId: personas[0], now: NOW, ...PARAMS }))
lines.push(`| decay access_based, one persona of ${personas.length} (ms) | ${fmt(oneMs, 0)} (cpu ${fmt(cpuMs, 0)}) | | |`)
lines.push(`| (setup: insert ${MEMORIES} rows in one transaction, ms) | ${fmt(insertMs, 0)} | | |`)

db.close()
rmSync(dir, { recursive: true, force: true })
process.stdout.write(`${lines.join('\n')}\n`)
