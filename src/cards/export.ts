import type { Persona } from '../personas/types.ts'
import { PersonaCreateBody } from '../personas/schemas.ts'
import { toCard, toV2 } from './convert.ts'
import { CardError } from './errors.ts'
import {
  PERSONA_EXTENSION, personaExtensionOf, readPersonaExtension, renderDescription, renderPersonality, type PersonaBody,
} from './persona-extension.ts'
import type { Asset, Card, CardV2, Lorebook } from './schema.ts'

// Persona <-> card. A persona is the persona.create body; what a card has beyond it (greetings, scenario,
// examples, prompts, lorebook, vendor extensions) travels as `CardExtras`, for the prompt and for export.
// persona -> card -> persona gives the same persona and extras; a card from elsewhere -> persona -> card
// gives the same card fields.

export interface CardExtras {
  /** the card's own description, when the persona's (length-bounded) one could not hold it */
  description?: string
  /** the card's own personality text; absent when it is the one we render from traits */
  personality?: string
  scenario: string
  first_mes: string
  alternate_greetings: string[]
  group_only_greetings: string[]
  mes_example: string
  system_prompt: string
  post_history_instructions: string
  tags: string[]
  creator: string
  creator_notes: string
  character_version: string
  /** vendor extensions other than persona_mcp, verbatim */
  extensions: Record<string, unknown>
  character_book?: Lorebook
  nickname?: string
  creator_notes_multilingual?: Record<string, string>
  source?: string[]
  creation_date?: number
  assets?: Asset[]
}

export interface CardImport {
  persona: PersonaBody
  extras: CardExtras
  /** what had to change to fit (a name or description too long) */
  warnings: string[]
}

const NAME_MAX = PersonaCreateBody.properties.name.maxLength ?? 64
const DESCRIPTION_MAX = PersonaCreateBody.properties.description.maxLength ?? 2000

/** At most `max` characters (code points), cut at a space when there is one near the end. */
function cut (text: string, max: number): string {
  const chars = Array.from(text)
  if (chars.length <= max) return text
  const head = chars.slice(0, max - 1).join('')
  const space = head.lastIndexOf(' ')
  return `${(space > max * 0.8 ? head.slice(0, space) : head).trimEnd()}…`
}

/** A persona name: one line, no outer spaces, bounded (PersonaName's pattern). */
const fitName = (name: string) => Array.from(name.replace(/\s+/g, ' ').trim()).slice(0, NAME_MAX).join('').trim()

const copyDefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>

/** The card-side fields of a card, for the prompt and for export. */
function extrasOf (card: Card): CardExtras {
  const { name, description, personality, extensions, modification_date, ...rest } = structuredClone(card.data)
  const { [PERSONA_EXTENSION]: _ours, ...others } = extensions
  return { ...rest, extensions: others }
}

/** The persona to create from a card, and the card fields to keep beside it. Throws CardError. */
export function cardToPersonaInput (card: Card): CardImport {
  const { data } = card
  const warnings: string[] = []
  const ext = readPersonaExtension(data.extensions)
  const name = fitName(data.name)
  if (name === '') throw new CardError('invalid_card', 'expected a name with letters, not only spaces', 'data.name')
  if (name !== data.name) warnings.push(`name shortened to "${name}"`)
  const { version: _v, ...fields } = ext ?? { version: 0 }
  const persona: PersonaBody = { ...structuredClone(fields), name }
  const extras = extrasOf(card)

  if (ext === undefined || data.description !== renderDescription(persona)) {
    // a card from elsewhere, or its description edited elsewhere: the card's text is the description
    // (a backstory from persona_mcp is kept even if the edited text repeats it: better twice than lost)
    persona.description = cut(data.description, DESCRIPTION_MAX)
    if (persona.description !== data.description) {
      extras.description = data.description
      warnings.push(`description shortened to ${DESCRIPTION_MAX} characters; the full text is kept for the prompt`)
    }
  }
  if (data.personality !== '' && data.personality !== renderPersonality(persona)) extras.personality = data.personality
  return { persona: copyDefined(persona) as PersonaBody, extras, warnings }
}

export interface PersonaCardInput {
  persona: PersonaBody
  extras?: Partial<CardExtras>
  /** epoch ms of the export (modification_date) */
  now?: number
}

/** A V3 card of a persona, and its V2 twin (the PNG `chara` chunk). */
export function personaToCard ({ persona, extras = {}, now = Date.now() }: PersonaCardInput): { card: Card, v2: CardV2 } {
  const { description, personality, extensions, ...rest } = structuredClone(extras)
  const card = toCard({
    ...rest,
    name: persona.name,
    description: description ?? renderDescription(persona),
    personality: personality ?? renderPersonality(persona),
    extensions: { ...extensions, [PERSONA_EXTENSION]: personaExtensionOf(persona) },
    modification_date: Math.floor(now / 1000),
  })
  return { card, v2: toV2(card) }
}

/** The persona.create body of an existing persona (what personaToCard takes). */
export function personaBodyOf (p: Persona): PersonaBody {
  return {
    name: p.name,
    description: p.description,
    backstory: p.backstory,
    speaking_style: p.speakingStyle,
    personality_traits: { ...p.personalityTraits },
    topic_preferences: { ...p.topicPreferences },
    charisma: p.charisma,
    intelligence: p.intelligence,
    social_rank: p.socialRank,
    social_energy: p.state.socialEnergy,
    available_time: p.state.availableTime,
    current_priority: p.state.currentPriority,
    interest_level: p.state.interestLevel,
  }
}
