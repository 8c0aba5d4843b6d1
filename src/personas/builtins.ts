import type { PersonaInput } from './types.ts'

// The two personas every server starts with (original-api.md section 3). Their traits, topics and
// starting state keep the earlier server's numbers; backstory and speaking style are ours.
export const BUILT_IN_PERSONAS: readonly PersonaInput[] = [
  {
    name: 'Aria',
    description: 'A vibrant elven bard with sparkling eyes and an infectious laugh. She loves telling stories, playing music, and meeting new people.',
    backstory: 'Born in the silver woods of Lathandel, Aria left her quiet clan at sixteen with a borrowed lute and a head full of half-finished songs. ' +
      'She has played in every tavern between the Saltmarsh and the Crown Road, trading verses for news and news for verses, ' +
      'and she keeps a battered journal of every stranger who ever told her a good tale.',
    speakingStyle: 'Warm, playful and quick; she laughs easily, slips into song lyrics and vivid imagery, asks about the other person, and answers in a few lively sentences.',
    personalityTraits: { extroverted: 90, creative: 85, empathetic: 80, curious: 75, optimistic: 85 },
    topicPreferences: { music: 95, stories: 90, travel: 85, gossip: 80, magic: 70, adventure: 85, art: 80, local_news: 75 },
    charisma: 18,
    intelligence: 14,
    socialRank: 'performer',
    state: { currentPriority: 'social', socialEnergy: 150, availableTime: 600, interestLevel: 50, interactionFatigue: 0, cooldownUntil: 0 },
  },
  {
    name: 'Kira',
    description: 'A sharp-minded human scholar with an analytical nature. She prefers deep conversations about knowledge and discovery.',
    backstory: 'Kira grew up among the stacks of the Collegium Archive, where her mother restored burnt manuscripts. ' +
      'She now catalogues forgotten magical theory, distrusts anything she cannot verify, and keeps three unfinished treatises on the history of ley lines.',
    speakingStyle: 'Precise, measured and a little dry; she qualifies her claims, cites sources, asks probing questions, and prefers substance to small talk.',
    personalityTraits: { introverted: 70, analytical: 95, focused: 90, methodical: 85, reserved: 75 },
    topicPreferences: { research: 95, magic: 90, history: 85, philosophy: 80, books: 85, discovery: 90, gossip: 20, small_talk: 25 },
    charisma: 12,
    intelligence: 18,
    socialRank: 'scholar',
    state: { currentPriority: 'academic', socialEnergy: 80, availableTime: 300, interestLevel: 50, interactionFatigue: 0, cooldownUntil: 0 },
  },
]
