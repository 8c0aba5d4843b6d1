import t from 'tap'
import { BUILT_IN_PERSONAS } from '../../src/personas/builtins.ts'
import { PRIORITIES } from '../../src/personas/state.ts'
import type { PersonaInput } from '../../src/personas/types.ts'

// original-api.md section 3: the earlier server's built-in personas, number for number.
const SPEC = {
  Aria: {
    personalityTraits: { extroverted: 90, creative: 85, empathetic: 80, curious: 75, optimistic: 85 },
    topicPreferences: { music: 95, stories: 90, travel: 85, gossip: 80, magic: 70, adventure: 85, art: 80, local_news: 75 },
    charisma: 18,
    intelligence: 14,
    socialRank: 'performer',
    state: { currentPriority: 'social', socialEnergy: 150, availableTime: 600, interestLevel: 50, interactionFatigue: 0, cooldownUntil: 0 },
    concept: [/\bbard\b/i, /\b(elf|elven)\b/i],
  },
  Kira: {
    personalityTraits: { introverted: 70, analytical: 95, focused: 90, methodical: 85, reserved: 75 },
    topicPreferences: { research: 95, magic: 90, history: 85, philosophy: 80, books: 85, discovery: 90, gossip: 20, small_talk: 25 },
    charisma: 12,
    intelligence: 18,
    socialRank: 'scholar',
    state: { currentPriority: 'academic', socialEnergy: 80, availableTime: 300, interestLevel: 50, interactionFatigue: 0, cooldownUntil: 0 },
    concept: [/\bscholar\b/i, /\bhuman\b/i],
  },
} as const

t.test('exactly Aria and Kira, in that order, with distinct names', async (t) => {
  t.same(BUILT_IN_PERSONAS.map((p) => p.name), ['Aria', 'Kira'])
})

for (const name of ['Aria', 'Kira'] as const) {
  t.test(name, async (t) => {
    const spec = SPEC[name]
    const persona: PersonaInput | undefined = BUILT_IN_PERSONAS.find((p) => p.name === name)
    if (!persona) {
      t.fail(`${name} is missing`)
      return
    }
    t.strictSame(persona.personalityTraits, spec.personalityTraits, 'personality traits (0-100)')
    t.strictSame(persona.topicPreferences, spec.topicPreferences, 'topic preferences (0-100)')
    t.equal(persona.charisma, spec.charisma, 'charisma')
    t.equal(persona.intelligence, spec.intelligence, 'intelligence')
    t.equal(persona.socialRank, spec.socialRank, 'social rank')
    t.equal(persona.state?.currentPriority, spec.state.currentPriority, 'current priority')
    t.ok(PRIORITIES.includes(spec.state.currentPriority), 'the priority is one of the enum')
    t.equal(persona.state?.socialEnergy, spec.state.socialEnergy, 'social energy')
    t.equal(persona.state?.availableTime, spec.state.availableTime, 'available time (s)')
    // interest 50 / fatigue 0 / cooldown 0 may be given or left to the defaults, which are the same numbers
    t.equal(persona.state?.interestLevel ?? 50, spec.state.interestLevel, 'interest level')
    t.equal(persona.state?.interactionFatigue ?? 0, spec.state.interactionFatigue, 'interaction fatigue')
    t.equal(persona.state?.cooldownUntil ?? 0, spec.state.cooldownUntil, 'cooldown')

    for (const [key, value] of Object.entries({ ...persona.personalityTraits, ...persona.topicPreferences })) {
      t.ok(Number.isInteger(value) && value >= 0 && value <= 100, `${key} = ${value} is 0-100`)
    }

    t.type(persona.description, 'string')
    t.ok((persona.description ?? '').trim().length > 0, 'a description')
    for (const word of spec.concept) t.match(persona.description ?? '', word, `the description matches the concept (${word})`)
    t.type(persona.backstory, 'string')
    t.ok((persona.backstory ?? '').trim().length > 0, 'a non-empty backstory')
    t.type(persona.speakingStyle, 'string')
    t.ok((persona.speakingStyle ?? '').trim().length > 0, 'a non-empty speaking style')
    t.not(persona.backstory, persona.description, 'the backstory is more than the description')
  })
}

t.test('the two personas share magic as their only topic both rate above 30', async (t) => {
  // original-api.md section 3: "The only recommended topic is magic" (topics both rate above 30)
  const [aria, kira] = BUILT_IN_PERSONAS
  const a = aria?.topicPreferences ?? {}
  const k = kira?.topicPreferences ?? {}
  t.same(Object.keys(a).filter((topic) => (a[topic] ?? 0) > 30 && (k[topic] ?? 0) > 30), ['magic'])
})
