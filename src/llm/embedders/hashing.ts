import type { Embedder } from '../types.ts'

// The embedder used when Ollama has no embedding model: feature hashing of word unigrams, word bigrams and
// character trigrams. No model, no network, deterministic across processes, so vectors stored in SQLite stay
// valid. Character trigrams make "playing"/"plays" and "tavern"/"taverns" overlap, which plain words cannot.

// Feature kinds live in the low 2 bits of each feature, so one numeric sort groups equal features (term
// frequency = run length) without a Map, and the kind still picks the weight afterwards.
const WORD = 0
const STOP = 1
const BIGRAM = 2
const TRIGRAM = 3
// function words barely count; bigrams add word order; trigrams (one per letter) weigh half a word each, enough
// for shared stems to count without letting shared suffixes ("-ing") make unrelated texts look alike
const WEIGHTS = [1, 0.15, 0.4, 0.5]
const SPACE = 32

const FNV_OFFSET = 2166136261
const FNV_PRIME = 16777619

/** murmur3's finaliser: FNV-1a alone leaves the low bits poorly mixed for short keys. */
function fmix (h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

function hashRange (text: string, start: number, end: number): number {
  let h = FNV_OFFSET
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME)
  return h
}

const STOP_WORDS = new Set<number>(
  ('a an the and or but of to in on at by for with from as is are was were be been am i you he she it we they ' +
    'me my your his her its our their this that these those do does did so not no if then there here')
    .split(' ').map((w) => hashRange(w, 0, w.length)),
)

/** letters and digits in any script; everything else separates words */
const isWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c > 127 && c !== 160 && !(c >= 0x2000 && c <= 0x206f))

// one scratch buffer reused across calls (embedding is synchronous, so no call can interleave)
let features = new Uint32Array(1024)

function push (count: number, hash: number, kind: number): number {
  if (count === features.length) {
    const bigger = new Uint32Array(features.length * 2)
    bigger.set(features)
    features = bigger
  }
  features[count] = ((fmix(hash) & ~3) | kind) >>> 0
  return count + 1
}

export function embedText (raw: string, dimensions: number): Float32Array {
  const text = raw.toLowerCase()
  const n = text.length
  let count = 0
  let previous = 0
  let hasPrevious = false
  let i = 0
  while (i < n) {
    while (i < n && !isWordChar(text.charCodeAt(i))) i++
    const start = i
    while (i < n && isWordChar(text.charCodeAt(i))) i++
    if (i === start) break
    const word = hashRange(text, start, i)
    const stop = STOP_WORDS.has(word)
    count = push(count, word, stop ? STOP : WORD)
    if (hasPrevious) count = push(count, Math.imul(previous ^ fmix(word), FNV_PRIME) ^ 0x9e3779b9, BIGRAM)
    previous = word
    hasPrevious = true
    if (stop) continue
    // trigrams of " word ": the padding marks the start and end of words
    let a = SPACE
    let b = text.charCodeAt(start)
    for (let j = start + 1; j <= i; j++) {
      const c = j < i ? text.charCodeAt(j) : SPACE
      count = push(count, Math.imul(Math.imul(Math.imul(0x27d4eb2f ^ a, FNV_PRIME) ^ b, FNV_PRIME) ^ c, FNV_PRIME), TRIGRAM)
      a = b
      b = c
    }
  }
  const vector = new Float32Array(dimensions)
  // an empty text still gets a unit vector: a zero vector has no cosine (and Chroma rejects it)
  if (count === 0) count = push(0, 0x5bd1e995, WORD)
  const sorted = features.subarray(0, count).sort()
  let norm = 0
  for (let k = 0; k < count;) {
    const f = sorted[k]
    let end = k + 1
    while (end < count && sorted[end] === f) end++
    // sub-linear term frequency: a word repeated ten times is not ten times as telling
    const weight = WEIGHTS[f & 3] * (1 + Math.log(end - k))
    const slot = (f >>> 3) % dimensions
    vector[slot] += ((f & 4) === 0 ? weight : -weight)
    k = end
  }
  for (let d = 0; d < dimensions; d++) norm += vector[d] * vector[d]
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 1
  for (let d = 0; d < dimensions; d++) vector[d] *= scale
  return vector
}

export function createHashingEmbedder (dimensions = 384): Embedder {
  return {
    id: `hash-${dimensions}`,
    dimensions,
    embed: async (texts) => texts.map((text) => embedText(text, dimensions)),
  }
}
