import type { FallbackHint } from './types.ts'

// Canned in-persona replies for when the model cannot answer: the persona stays in character
// and its state shows through, instead of the client seeing an error.

export type FallbackMood = 'urgent' | 'tired' | 'varied'

/** at or below this much social energy a persona sounds tired */
export const LOW_SOCIAL_ENERGY = 30

const URGENT = [
  '*{name} glances up, clearly pressed for time.* Forgive me, something urgent needs me right now. Hold that thought and we will pick it up shortly.',
  '*{name} is already halfway to the door.* I cannot stay, it is urgent. Ask me again in a moment and I will give you a proper answer.',
  '*{name} raises a hand.* One moment, please. There is a pressing matter I must see to first.',
]

const TIRED = [
  '*{name} rubs their eyes.* I am worn out, friend. Let me gather my thoughts and answer you properly in a little while.',
  '*{name} stifles a yawn.* Sorry, I have had too much company today. Could we come back to this once I have rested?',
  '*{name} smiles wearily.* My mind is running on empty just now. Give me a moment to recover.',
]

const VARIED = [
  '*{name} pauses, lost in thought.* That is an interesting question. Let me think on it a little longer before I answer.',
  '*{name} tilts their head.* Hmm, my thoughts are scattered at the moment. Could you say that another way?',
  '*{name} taps a finger thoughtfully.* I want to give you a good answer, and it is not quite coming to me yet. Ask me again shortly?',
  '*{name} looks into the distance for a moment.* Forgive me, I was far away. Tell me more while I collect myself.',
  '*{name} chuckles softly.* You have caught me without words, which does not happen often. Give me a moment.',
]

/** Which kind of line fits the persona's state: urgency wins over tiredness. */
export function fallbackMood (hint: FallbackHint | undefined): FallbackMood {
  if (hint === undefined) return 'varied'
  if (hint.priority.toLowerCase() === 'urgent') return 'urgent'
  if (hint.socialEnergy <= LOW_SOCIAL_ENERGY) return 'tired'
  return 'varied'
}

/**
 * A canned reply for this state. `seed` picks the line (the resilient provider passes a counter,
 * so replies rotate; tests pass a fixed seed and get a stable line).
 */
export function fallbackReply (hint: FallbackHint | undefined, seed = 0): string {
  const mood = fallbackMood(hint)
  const lines = mood === 'urgent' ? URGENT : mood === 'tired' ? TIRED : VARIED
  const index = ((Math.trunc(seed) % lines.length) + lines.length) % lines.length
  const name = hint?.personaName.trim() || 'The persona'
  return lines[index].replaceAll('{name}', name)
}

/** Every line a mood can produce (tests, and clients that want to recognise a fallback). */
export function fallbackLines (mood: FallbackMood, personaName: string): string[] {
  const lines = mood === 'urgent' ? URGENT : mood === 'tired' ? TIRED : VARIED
  return lines.map((line) => line.replaceAll('{name}', personaName))
}
