import { Type, type Static } from '@sinclair/typebox'
import { PersonaCreateBody } from '../personas/schemas.ts'
import { assertValid } from './validate.ts'

// `extensions.persona_mcp` of the cards we export: the persona fields no card field holds (backstory,
// speaking style, traits, topic preferences, stats, interaction state), in the wire shape of
// persona.create so an import on another server validates them with the very same schema.

export const PERSONA_EXTENSION = 'persona_mcp'
export const PERSONA_EXTENSION_VERSION = 1

const { name: _name, ...profileFields } = PersonaCreateBody.properties
export const PersonaExtensionSchema = Type.Object({ version: Type.Integer({ minimum: 1 }), ...profileFields })
export type PersonaExtension = Static<typeof PersonaExtensionSchema>
export type PersonaBody = PersonaCreateBody

/** The extension of a card, validated; undefined when the card has none (a card from elsewhere). */
export function readPersonaExtension (extensions: Record<string, unknown>): PersonaExtension | undefined {
  const ext = extensions[PERSONA_EXTENSION]
  if (ext === undefined) return undefined
  assertValid(PersonaExtensionSchema, ext, `data.extensions.${PERSONA_EXTENSION}`)
  return ext as PersonaExtension
}

const scoreList = (scores: Record<string, number> | undefined) =>
  Object.entries(scores ?? {}).sort(([, a], [, b]) => b - a).map(([k, v]) => `${k} (${v})`).join(', ')

/**
 * The card `personality` text we write for a persona, for apps that know nothing of persona_mcp.
 * Import recognises this exact text as ours (and keeps no copy); any other text is the card's own.
 */
export function renderPersonality (p: PersonaBody): string {
  const lines: string[] = []
  const traits = scoreList(p.personality_traits)
  const topics = scoreList(p.topic_preferences)
  if (traits !== '') lines.push(`Traits: ${traits}`)
  if (topics !== '') lines.push(`Favourite topics: ${topics}`)
  if ((p.speaking_style ?? '') !== '') lines.push(`Speaking style: ${p.speaking_style!}`)
  return lines.join('\n')
}

/** The card `description` we write: the persona's description, then its backstory. */
export function renderDescription (p: PersonaBody): string {
  return [p.description ?? '', p.backstory ?? ''].filter((s) => s !== '').join('\n\n')
}

/** The persona fields the extension carries (no name: the card's name is the persona's). */
export function personaExtensionOf (p: PersonaBody): PersonaExtension {
  const { name: _n, ...fields } = p
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined))
  return { version: PERSONA_EXTENSION_VERSION, ...structuredClone(defined) }
}
