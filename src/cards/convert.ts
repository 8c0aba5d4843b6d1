import type { Card, CardData, CardV2, Lorebook, LorebookEntry } from './schema.ts'

// Normalisation of accepted (lenient) card data into the V3 shape, and the V2 twin of a V3 card
// (for the PNG `chara` chunk that V2-only readers such as older SillyTavern builds look at).

type LooseEntry = Partial<LorebookEntry> & Pick<LorebookEntry, 'keys' | 'content'>
type LooseBook = Partial<Omit<Lorebook, 'entries'>> & { entries: LooseEntry[] }
export type LooseCardData = Partial<Omit<CardData, 'character_book'>> & { name: string, character_book?: LooseBook }

/** Copies the keys of `from` that are defined; so optional fields stay absent rather than `undefined`. */
function definedOf<T extends object, K extends keyof T> (from: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {}
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k]
  return out
}

const ENTRY_OPTIONAL = ['case_sensitive', 'constant', 'name', 'priority', 'id', 'comment', 'selective', 'secondary_keys', 'position'] as const
const BOOK_OPTIONAL = ['name', 'description', 'scan_depth', 'token_budget', 'recursive_scanning'] as const
const DATA_OPTIONAL = ['assets', 'nickname', 'creator_notes_multilingual', 'source', 'creation_date', 'modification_date'] as const

function toEntry (e: LooseEntry, index: number): LorebookEntry {
  return {
    keys: [...e.keys],
    content: e.content,
    extensions: structuredClone(e.extensions ?? {}),
    enabled: e.enabled ?? true,
    // without an order, keep the order the entries come in
    insertion_order: e.insertion_order ?? index,
    use_regex: e.use_regex ?? false,
    ...structuredClone(definedOf(e, ENTRY_OPTIONAL)),
  }
}

export function toLorebook (b: LooseBook): Lorebook {
  return {
    ...definedOf(b, BOOK_OPTIONAL),
    extensions: structuredClone(b.extensions ?? {}),
    entries: b.entries.map(toEntry),
  }
}

export function toCard (d: LooseCardData): Card {
  const data: CardData = {
    name: d.name,
    description: d.description ?? '',
    personality: d.personality ?? '',
    scenario: d.scenario ?? '',
    first_mes: d.first_mes ?? '',
    mes_example: d.mes_example ?? '',
    creator_notes: d.creator_notes ?? '',
    system_prompt: d.system_prompt ?? '',
    post_history_instructions: d.post_history_instructions ?? '',
    alternate_greetings: [...(d.alternate_greetings ?? [])],
    group_only_greetings: [...(d.group_only_greetings ?? [])],
    tags: [...(d.tags ?? [])],
    creator: d.creator ?? '',
    character_version: d.character_version ?? '',
    extensions: structuredClone(d.extensions ?? {}),
    ...structuredClone(definedOf(d, DATA_OPTIONAL)),
  }
  if (d.character_book !== undefined) data.character_book = toLorebook(d.character_book)
  return { spec: 'chara_card_v3', spec_version: '3.0', data }
}

/** The V2 twin: V3-only fields dropped (V2 readers ignore them anyway, but the twin stays to its spec). */
export function toV2 (card: Card): CardV2 {
  const { assets, nickname, creator_notes_multilingual, source, group_only_greetings, creation_date, modification_date, character_book, ...v2 } = structuredClone(card.data)
  const data: CardV2['data'] = v2
  if (character_book !== undefined) {
    data.character_book = { ...character_book, entries: character_book.entries.map(({ use_regex, ...entry }) => entry) }
  }
  return { spec: 'chara_card_v2', spec_version: '2.0', data }
}
