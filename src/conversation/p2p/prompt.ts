import type { ChatMessage } from '../../llm/types.ts'
import type { Persona } from '../../personas/types.ts'
import { buildMessages } from '../prompt.ts'

export interface TurnPromptParts {
  speaker: Persona
  listener: Persona
  topic: string
  transcript: Array<{ speakerId: string, content: string }>
  sections: string[]
}

/**
 * The speaker's view of the conversation: its own character as the system prompt, its own lines as the
 * assistant's, the other persona's as the user's (so the chat template keeps them apart), and a cue to speak.
 */
export function buildTurnMessages ({ speaker, listener, topic, transcript, sections }: TurnPromptParts): ChatMessage[] {
  const setting = `You are talking with ${listener.name} (${listener.description}) about ${topic.replaceAll('_', ' ')}. ` +
    `Speak only as ${speaker.name}: one short turn of conversation, no stage directions for ${listener.name}.`
  const [last, ...earlier] = [...transcript].reverse()
  const cue = last === undefined || last.speakerId === speaker.id
    ? `(${listener.name} is listening. Say what you would say next about ${topic.replaceAll('_', ' ')}.)`
    : last.content
  return buildMessages({
    persona: speaker,
    sections: [setting, ...sections],
    summary: '',
    recent: (last !== undefined && last.speakerId !== speaker.id ? earlier.reverse() : transcript)
      .map((l) => ({ role: l.speakerId === speaker.id ? 'persona' as const : 'user' as const, content: l.content })),
    message: cue,
  })
}
