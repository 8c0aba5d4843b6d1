import { decoratorList, decoratorNumber, hasDecorator, parseDecorators, type Decorator } from './decorators.ts'
import { firstMatch, ScanText, type KeyMatchOptions } from './lore-match.ts'
import type { Lorebook, LorebookEntry } from './schema.ts'

// Which lorebook entries go into the prompt for the recent conversation (Character Card V2/V3 rules):
// enabled entries whose keys appear; `selective` ones also need a secondary key (SillyTavern's
// `extensions.selectiveLogic` honoured); `constant` ones always; V3 decorators @@activate, @@dont_activate,
// @@scan_depth, @@additional_keys, @@exclude_keys. Within the token budget, constant entries come first,
// then higher `priority` (the spec: lower priority is discarded first), then lower insertion_order; the
// result is in insertion order (lower first, i.e. higher in the prompt).

export interface LoreActivationOptions {
  /** tokens the injected entries may take; default the book's token_budget, else unbounded */
  tokenBudget?: number
  /** how many of the most recent texts are scanned; default the book's scan_depth, else all given */
  scanDepth?: number
  /** for entries without case_sensitive; default false */
  caseSensitive?: boolean
  /** for entries without extensions.match_whole_words; default false (substring, as SillyTavern) */
  matchWholeWords?: boolean
  /** scan activated entries' content for more keys; default the book's recursive_scanning */
  recursive?: boolean
  estimateTokens?: (text: string) => number
}

export interface ActivatedLore {
  entry: LorebookEntry
  /** position in the book's entries */
  index: number
  /** the content without decorators: what goes into the prompt */
  content: string
  tokens: number
  reason: 'constant' | 'key' | 'decorator'
  /** the primary key that matched */
  key?: string
  decorators: Decorator[]
}

export interface LoreActivation {
  entries: ActivatedLore[]
  tokens: number
  /** matched, but left out by the budget */
  dropped: ActivatedLore[]
}

export const estimateTokens = (text: string): number => Math.ceil(text.length / 4)

const MAX_RECURSION = 5

type Candidate = { entry: LorebookEntry, index: number, decorators: Decorator[], content: string }
type Hit = Pick<ActivatedLore, 'reason' | 'key'>

function matchOptions (entry: LorebookEntry, opts: LoreActivationOptions): KeyMatchOptions {
  const whole = entry.extensions.match_whole_words
  return {
    caseSensitive: entry.case_sensitive ?? opts.caseSensitive ?? false,
    wholeWords: typeof whole === 'boolean' ? whole : opts.matchWholeWords ?? false,
    regex: entry.use_regex,
  }
}

/** SillyTavern's selectiveLogic: 0 AND ANY (the V2 spec's rule), 1 NOT ALL, 2 NOT ANY, 3 AND ALL. */
function secondaryPasses (entry: LorebookEntry, scan: ScanText, match: KeyMatchOptions): boolean {
  const secondary = (entry.secondary_keys ?? []).filter((k) => k.trim() !== '')
  if (entry.selective !== true || secondary.length === 0) return true
  const found = secondary.filter((k) => firstMatch([k], scan, match) !== undefined).length
  switch (entry.extensions.selectiveLogic) {
    case 1: return found < secondary.length
    case 2: return found === 0
    case 3: return found === secondary.length
    default: return found > 0
  }
}

function hit (c: Candidate, window: (depth?: number) => ScanText, opts: LoreActivationOptions): Hit | undefined {
  const { entry, decorators } = c
  if (!entry.enabled || hasDecorator(decorators, 'dont_activate')) return undefined
  if (entry.constant === true) return { reason: 'constant' }
  if (hasDecorator(decorators, 'activate')) return { reason: 'decorator' }
  const scan = window(decoratorNumber(decorators, 'scan_depth'))
  const match = matchOptions(entry, opts)
  const key = firstMatch([...entry.keys, ...decoratorList(decorators, 'additional_keys')], scan, match)
  if (key === undefined || !secondaryPasses(entry, scan, match)) return undefined
  if (firstMatch(decoratorList(decorators, 'exclude_keys'), scan, match) !== undefined) return undefined
  return { reason: 'key', key }
}

/** Higher first: constant entries, then priority, then lower insertion_order, then book order. */
function budgetRank (a: ActivatedLore, b: ActivatedLore): number {
  const pinned = (x: ActivatedLore) => (x.reason === 'key' ? 0 : 1)
  return pinned(b) - pinned(a) || (b.entry.priority ?? 0) - (a.entry.priority ?? 0) ||
    a.entry.insertion_order - b.entry.insertion_order || a.index - b.index
}

/** The entries of `book` to inject for `texts` (oldest first, most recent last). Pure. */
export function activateLorebook (book: Lorebook | readonly LorebookEntry[], texts: readonly string[], opts: LoreActivationOptions = {}): LoreActivation {
  const entries = Array.isArray(book) ? book as readonly LorebookEntry[] : (book as Lorebook).entries
  const meta = Array.isArray(book) ? undefined : book as Lorebook
  const depth = opts.scanDepth ?? meta?.scan_depth
  const budget = opts.tokenBudget ?? meta?.token_budget ?? Number.POSITIVE_INFINITY
  const recursive = opts.recursive ?? meta?.recursive_scanning ?? false
  const estimate = opts.estimateTokens ?? estimateTokens
  const extra: string[] = [] // content of activated entries, scanned when recursive
  const window = (entryDepth?: number): ScanText => {
    const d = entryDepth ?? depth
    const recent = d === undefined ? texts : d <= 0 ? [] : texts.slice(-Math.floor(d))
    return new ScanText([...recent, ...extra].join('\n'))
  }

  let pending: Candidate[] = entries.map((entry, index) => ({ entry, index, ...parseDecorators(entry.content) }))
  const activated: ActivatedLore[] = []
  for (let pass = 0; pass <= MAX_RECURSION && pending.length > 0; pass++) {
    const found: ActivatedLore[] = []
    pending = pending.filter((c) => {
      const h = hit(c, window, opts)
      if (h === undefined) return true
      found.push({ entry: c.entry, index: c.index, content: c.content, tokens: estimate(c.content), decorators: c.decorators, ...h })
      return false
    })
    activated.push(...found)
    if (!recursive || found.length === 0) break
    extra.push(...found.map((f) => f.content))
  }

  const kept: ActivatedLore[] = []
  const dropped: ActivatedLore[] = []
  let tokens = 0
  for (const a of activated.sort(budgetRank)) {
    if (tokens + a.tokens <= budget) {
      kept.push(a)
      tokens += a.tokens
    } else dropped.push(a)
  }
  kept.sort((a, b) => a.entry.insertion_order - b.entry.insertion_order || a.index - b.index)
  return { entries: kept, tokens, dropped }
}
