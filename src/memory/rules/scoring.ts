// Tier 1: importance of a new memory from its text, in the seed's 0.51..0.80 range. Base 0.5 plus
// four factors, each within the seed's sub-range (content 0..0.3, engagement 0..0.2, persona 0..0.15,
// recency 0..0.05) times its configured weight. Everything per persona (topic and trait lookups) is
// built once by createScorer; a call is one pass over the tokens with Set/Map lookups, no regexes.

export interface ScoreWeights { content: number, engagement: number, persona: number, recency: number }
export interface ScoreInput { text: string, reply?: string, recentUserTexts?: string[] }
export interface PersonaSignals { topicPreferences: Record<string, number>, personalityTraits: Record<string, number> }
export interface ImportanceScore { score: number, factors: ScoreWeights }
export type Scorer = (input: ScoreInput, ageSeconds?: number) => ImportanceScore

export const SCORE_MIN = 0.51
export const SCORE_MAX = 0.8
const BASE = 0.5

const set = (words: string): Set<string> => new Set(words.split(' '))
const KEYWORDS = set('family mother father mom dad mum sister brother wife husband son daughter child children kids baby friend friends girlfriend boyfriend partner work job career boss school university college exam home house city town village farm birthday anniversary wedding married pregnant died death funeral sick ill hospital doctor health allergic pet dog cat horse garden hobby money debt dream goal plan secret promise remember important favorite favourite name moved music book books travel war bees hives')
const SENTIMENT = set('love loved adore hate hated happy sad angry afraid scared worried excited proud lonely miss missed hurt grateful thankful upset anxious glad sorry terrible wonderful amazing awful beautiful enjoy fear cried laugh joy grief nervous heartbroken thrilled')
const DATES = set('january february march april june july august september october november december monday tuesday wednesday thursday friday saturday sunday tomorrow yesterday tonight')
const QUESTION_START = set('who what when where why how which can could would will do does did is are should shall')
const REFERRING = set('that it this those also again more earlier before still too same another')
const STOP = set('the and but for with you your are was were this that have has had not can could would will just what when where why how who which there their then than them they she him her his its our out about from into over some any all very really like been being get got make made know think want well yes okay also more much one two')
// Strong self-disclosure counts fully, weak (common) openers half.
const FACTS = new Map<string, number>([
  ...'my name|i live|i love|i work|i keep|i hate|i grew|my favorite|my favourite|call me|born in|i study|i own|i moved|allergic to|my birthday|married to|remember that|my wife|my husband|my son|my daughter|my job'.split('|').map((b): [string, number] => [b, 1]),
  ...'i am|i have|i was|i like|my mother|my father|my mom|my dad|my sister|my brother|my friend|my dog|my cat'.split('|').map((b): [string, number] => [b, 0.5])
])
const TOPIC_WORDS: Record<string, string> = {
  music: 'song songs sing singing sang melody tune tunes lute harp ballad band concert instrument rhythm dance',
  stories: 'story tale tales legend legends myth fable saga',
  travel: 'trip journey road voyage abroad visit visited city cities country map',
  gossip: 'rumor rumour heard secret scandal whisper',
  magic: 'spell spells wizard witch mage enchanted potion arcane rune sorcery',
  adventure: 'quest dragon explore dungeon treasure hero danger',
  art: 'paint painting painted draw drawing sculpture artist poem poetry craft',
  local_news: 'news town village market festival mayor council neighbor neighbour',
  research: 'study studies experiment hypothesis data evidence analysis',
  history: 'historical ancient past war kingdom empire era century',
  philosophy: 'meaning truth ethics moral virtue existence wisdom',
  books: 'book read reading library novel author page scroll tome',
  discovery: 'discover discovered find found invention invent uncover',
  small_talk: 'weather hello morning evening'
}
const TRAIT_WORDS: Record<string, string> = {
  extroverted: 'party people friends together crowd meet celebrate fun',
  introverted: 'quiet alone solitude peace calm',
  creative: 'create imagine imagination idea ideas invent design compose sing',
  empathetic: 'feel feeling feelings hurt lonely sad worried sorry support care comfort',
  curious: 'why wonder curious learn explore question',
  optimistic: 'hope hopeful bright better future dream',
  analytical: 'analyze analyse logic reason evidence compare theory proof calculate',
  focused: 'focus goal goals plan deadline task finish',
  methodical: 'method step steps process order organize system careful',
  reserved: 'private quiet polite formal'
}

/** word -> indices of the topics (or traits) it signals, plus each index's weight 0..1. */
interface Lookup { index: Map<string, number[]>, weight: Float64Array, seen: Uint8Array }

function buildLookup (prefs: Record<string, number>, lexicon: Record<string, string>, minValue: number): Lookup {
  const entries = Object.entries(prefs).filter(([, v]) => Number.isFinite(v) && v >= minValue)
  const index = new Map<string, number[]>()
  const weight = new Float64Array(entries.length)
  entries.forEach(([name, value], i) => {
    weight[i] = Math.min(1, value / 100)
    const key = name.toLowerCase()
    for (const w of [key, ...key.split(/[_\s-]+/), ...(lexicon[key]?.split(' ') ?? [])]) {
      if (w.length < 2) continue
      const list = index.get(w) ?? []
      if (!list.includes(i)) list.push(i)
      index.set(w, list)
    }
  })
  return { index, weight, seen: new Uint8Array(entries.length) }
}

const singular = (w: string): string | undefined => w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : undefined
/** exact word, else the word without a plural s */
const lookup = <T>(m: Map<string, T>, w: string): T | undefined => {
  const s = m.get(w)
  if (s !== undefined) return s
  const one = singular(w)
  return one === undefined ? undefined : m.get(one)
}
const inSet = (s: Set<string>, w: string): boolean => s.has(w) || s.has(singular(w) ?? '')

/** Sum of the weights of distinct indices hit by a word, marking them seen. */
function hit (l: Lookup, w: string, share: number): number {
  const list = lookup(l.index, w)
  if (list === undefined) return 0
  let s = 0
  for (const i of list) if (l.seen[i] === 0) { l.seen[i] = 1; s += (l.weight[i] ?? 0) * share }
  return s
}

const isWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 39 || c === 0x2019 || (c >= 0xc0 && c < 0x2000)

/** One pass over the words of `text`: fn(word as written, lower-cased, starts a sentence); returns the number of '?'. */
function scan (text: string, fn: (raw: string, lower: string, sentenceStart: boolean) => void): number {
  let questions = 0
  let start = -1
  let sentenceStart = true
  let curly = false
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32
    if (isWordChar(c)) { if (start < 0) start = i; if (c === 0x2019) curly = true; continue }
    if (start >= 0) {
      const raw = text.slice(start, i)
      const lower = raw.toLowerCase()
      // a typographic apostrophe (I’m) must look up like a plain one
      fn(raw, curly ? lower.replaceAll('\u2019', "'") : lower, sentenceStart)
      sentenceStart = false
      start = -1
      curly = false
    }
    if (c === 63) questions++
    if (c === 46 || c === 33 || c === 63 || c === 10) sentenceStart = true
  }
  return questions
}

const saturate = (raw: number, scale: number): number => 1 - Math.exp(-raw / scale)
const nonNegative = (w: number): number => Number.isFinite(w) && w > 0 ? w : 0

/** A fast scoring function for one persona and one set of weights. */
export function createScorer (persona: PersonaSignals, weights: ScoreWeights): Scorer {
  const topics = buildLookup(persona.topicPreferences, TOPIC_WORDS, 1)
  // only pronounced traits (>= 50 of 100) make a persona care about a message
  const traits = buildLookup(persona.personalityTraits, TRAIT_WORDS, 50)
  const w = { content: nonNegative(weights.content), engagement: nonNegative(weights.engagement), persona: nonNegative(weights.persona), recency: nonNegative(weights.recency) }

  return (input, ageSeconds = 0) => {
    topics.seen.fill(0)
    traits.seen.fill(0)
    const recent = new Set<string>()
    for (const t of (input.recentUserTexts ?? []).slice(-3)) scan(t, (_r, l) => { if (l.length > 2 && !STOP.has(l)) recent.add(l) })

    let facts = 0; let entities = 0; let keywords = 0; let sentiment = 0
    let words = 0; let overlap = 0; let refers = false; let asks = false
    let topicRaw = 0; let traitRaw = 0; let prev = ''
    const echoed = new Set<string>()
    const questions = scan(input.text, (raw, l, sentenceStart) => {
      if (words === 0 && QUESTION_START.has(l)) asks = true
      words++
      facts += FACTS.get(`${prev} ${l}`) ?? 0
      prev = l
      const c = raw.charCodeAt(0)
      const capital = (c >= 65 && c <= 90) || (c >= 0xc0 && raw[0] !== raw[0]?.toLowerCase())
      if ((c >= 48 && c <= 57) || DATES.has(l) || (capital && !sentenceStart && l !== 'i' && !l.startsWith("i'"))) entities++
      if (inSet(KEYWORDS, l)) keywords++
      if (SENTIMENT.has(l)) sentiment++
      if (REFERRING.has(l)) refers = true
      if (recent.has(l) && !echoed.has(l)) { echoed.add(l); overlap++ }
      topicRaw += hit(topics, l, 1)
      traitRaw += hit(traits, l, 1)
    })
    // the persona's own reply touching its interests counts at half strength
    if (input.reply !== undefined) scan(input.reply, (_r, l) => { topicRaw += hit(topics, l, 0.5) })

    const contentRaw = Math.min(facts, 3) + 0.5 * Math.min(entities, 4) + 0.3 * Math.min(keywords, 4) + 0.35 * Math.min(sentiment, 3)
    const followUp = recent.size === 0 ? 0 : Math.min(1, overlap / 2 + (refers ? 0.25 : 0))
    const engagementRaw = 0.5 * Math.min(1, words / 25) + 0.2 * (questions > 0 || asks ? 1 : 0) + 0.3 * followUp
    const content = 0.3 * w.content * saturate(contentRaw, 2)
    const engagement = 0.2 * w.engagement * engagementRaw
    const personaF = 0.15 * w.persona * saturate(topicRaw + 0.5 * traitRaw, 1.2)
    // Recency boosts what a message carries (half per day of age): a fresh "ok" stays at the bottom.
    const substance = Math.min(1, (content + engagement + personaF) / 0.2)
    const recency = 0.05 * w.recency * Math.pow(0.5, Math.max(0, ageSeconds) / 86_400) * substance
    // The seed's min(base + factors, 0.8) would pile every rich message onto the cap (the factors add
    // up to 0.7); a smooth saturation of their sum into the 0.3 above base keeps them ordered and
    // stays monotone in every factor.
    const sum = content + engagement + personaF + recency
    const score = Math.min(SCORE_MAX, Math.max(SCORE_MIN, BASE + (SCORE_MAX - BASE) * saturate(sum, 0.22)))
    return { score, factors: { content, engagement, persona: personaF, recency } }
  }
}

/** Every word or phrase the scorer reacts to for this persona (for inspection, and the benchmark's naive baseline). */
export function scoringVocabulary (persona: PersonaSignals): string[] {
  const words = new Set([...KEYWORDS, ...SENTIMENT, ...DATES, ...FACTS.keys()])
  for (const l of [buildLookup(persona.topicPreferences, TOPIC_WORDS, 1), buildLookup(persona.personalityTraits, TRAIT_WORDS, 50)]) {
    for (const w of l.index.keys()) words.add(w)
  }
  return [...words]
}

const cache = new WeakMap<object, { key: string, scorer: Scorer }>()

/** One-off scoring; reuses the scorer built for the same persona object and weights. */
export function scoreImportance (input: ScoreInput, persona: PersonaSignals, weights: ScoreWeights, ageSeconds = 0): ImportanceScore {
  const key = `${weights.content}|${weights.engagement}|${weights.persona}|${weights.recency}`
  let entry = cache.get(persona)
  if (entry?.key !== key) { entry = { key, scorer: createScorer(persona, weights) }; cache.set(persona, entry) }
  return entry.scorer(input, ageSeconds)
}
