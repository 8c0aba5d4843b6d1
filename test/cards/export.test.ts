import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { cardToPersonaInput, personaBodyOf, personaToCard } from '../../src/cards/export.ts'
import { readCardFile } from '../../src/cards/detect.ts'
import { writePngCard } from '../../src/cards/png.ts'
import { parseCard } from '../../src/cards/parse.ts'
import { CardSchema, CardV2Schema } from '../../src/cards/schema.ts'
import { PersonaCreateBody } from '../../src/personas/schemas.ts'
import { BUILT_IN_PERSONAS } from '../../src/personas/builtins.ts'
import type { Persona } from '../../src/personas/types.ts'
import { cardErrorOf, smallPng, v2Card, v3Card } from './helpers.ts'

const aria = () => {
  const input = BUILT_IN_PERSONAS.find((p) => p.name === 'Aria')!
  const persona = {
    ...input, id: 'p1', builtIn: false, ownerId: null, createdAt: new Date(), updatedAt: new Date(),
    description: input.description ?? '', backstory: input.backstory ?? '', speakingStyle: input.speakingStyle ?? '',
    personalityTraits: input.personalityTraits ?? {}, topicPreferences: input.topicPreferences ?? {},
    charisma: input.charisma ?? 10, intelligence: input.intelligence ?? 10, socialRank: input.socialRank ?? 'commoner',
    state: { interestLevel: 50, interactionFatigue: 0, currentPriority: 'social', availableTime: 600, socialEnergy: 150, cooldownUntil: 0, updatedAt: 0 },
  } as Persona
  return personaBodyOf(persona)
}

t.test('persona -> card -> persona gives the same persona and card fields', async (t) => {
  const persona = aria()
  t.ok(Value.Check(PersonaCreateBody, persona), 'personaBodyOf gives a valid persona.create body')
  const extras = { scenario: 'A tavern.', first_mes: 'Hello!', alternate_greetings: ['Hi.'], mes_example: '<START>', system_prompt: 'S', post_history_instructions: 'P', tags: ['bard'], creator: 'me', creator_notes: 'notes', character_book: parseCard(v2Card()).data.character_book!, extensions: { vendor: { a: [1, 2] } } }
  const { card, v2 } = personaToCard({ persona, extras, now: 1_700_000_000_000 })
  t.ok(Value.Check(CardSchema, card), 'a valid V3 card')
  t.ok(Value.Check(CardV2Schema, v2), 'a valid V2 twin')
  t.equal(card.data.modification_date, 1_700_000_000)
  t.match(card.data.personality, /extroverted \(90\)/, 'traits readable by other apps')
  t.match(card.data.description, persona.backstory!, 'backstory in the description for other apps')
  t.same(card.data.extensions.vendor, { a: [1, 2] })
  t.match(card.data.extensions.persona_mcp, { version: 1, personality_traits: persona.personality_traits, charisma: 18, social_energy: 150, current_priority: 'social' })

  // through a PNG, as a real export -> import on another server
  const back = cardToPersonaInput(readCardFile(writePngCard(smallPng(), card).toString('base64')).card)
  t.same(back.persona, persona, 'same persona')
  t.same(back.warnings, [])
  t.notOk('personality' in back.extras, 'the rendered personality is not kept as card text')
  t.notOk('description' in back.extras)
  t.match(back.extras, extras, 'same card fields')
  t.notOk('persona_mcp' in back.extras.extensions)
  t.same(personaToCard({ persona: back.persona, extras: back.extras, now: 1_700_000_000_000 }).card, card, 'and the same card again')
})

t.test('a card from elsewhere -> persona -> card keeps every card field', async (t) => {
  const card = parseCard(v3Card())
  const { persona, extras, warnings } = cardToPersonaInput(card)
  t.same(persona, { name: 'Nyx', description: 'A gentle forest guardian.' })
  t.same(warnings, [])
  t.equal(extras.personality, 'kind, protective')
  t.equal(extras.first_mes, card.data.first_mes)
  t.same(extras.group_only_greetings, ['Hello, everyone.'])
  t.same(extras.extensions, card.data.extensions, 'unknown extensions kept')
  const again = personaToCard({ persona, extras, now: card.data.modification_date! * 1000 }).card
  const { persona_mcp: ours, ...theirs } = again.data.extensions
  t.same({ ...again.data, extensions: theirs }, card.data, 'every field exported again')
  t.ok(ours)
})

t.test('long names and descriptions are fitted, the full text kept', async (t) => {
  const long = 'word '.repeat(1000).trim()
  const { persona, extras, warnings } = cardToPersonaInput(parseCard({ name: `  ${'N'.repeat(70)}\nX `, description: long }))
  t.equal(persona.name, 'N'.repeat(64))
  t.ok(Value.Check(PersonaCreateBody, persona), 'fits persona.create')
  t.ok(persona.description!.length <= 2000)
  t.match(persona.description, /…$/)
  t.equal(extras.description, long)
  t.equal(warnings.length, 2)
  t.equal(personaToCard({ persona, extras }).card.data.description, long, 'exported in full')
  t.match(cardErrorOf(() => cardToPersonaInput(parseCard({ name: ' \n ' }))), { field: 'data.name' })
})

t.test('a card edited elsewhere: its own description and personality win', async (t) => {
  const { card } = personaToCard({ persona: aria() })
  card.data.description = 'Rewritten by hand.'
  card.data.personality = 'cheerful'
  const { persona, extras } = cardToPersonaInput(card)
  t.equal(persona.description, 'Rewritten by hand.')
  t.equal(persona.backstory, aria().backstory, 'backstory kept')
  t.equal(extras.personality, 'cheerful')
  t.same(persona.personality_traits, aria().personality_traits)
})

t.test('an invalid persona_mcp extension names the field', async (t) => {
  const { card } = personaToCard({ persona: aria() })
  ;(card.data.extensions.persona_mcp as Record<string, unknown>).charisma = 99
  t.match(cardErrorOf(() => cardToPersonaInput(card)), { reason: 'invalid_card', field: 'data.extensions.persona_mcp.charisma' })
  ;(card.data.extensions.persona_mcp as Record<string, unknown>) = { charisma: 5 }
  t.match(cardErrorOf(() => cardToPersonaInput(card)), { field: 'data.extensions.persona_mcp.version', message: /required/ })
})

t.test('a minimal persona gives a minimal card', async (t) => {
  const { card } = personaToCard({ persona: { name: 'Min' } })
  t.equal(card.data.description, '')
  t.equal(card.data.personality, '')
  t.same(cardToPersonaInput(card).persona, { name: 'Min' }, 'round trip adds nothing')
  t.same(card.data.extensions, { persona_mcp: { version: 1 } })
})
