import type { ChatMessage } from '../../llm/types.ts'
import type { Persona } from '../../personas/types.ts'
import { defuseUserText } from '../../llm/sanitize.ts'
import { buildMessages, defusedPersona } from '../prompt.ts'

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
export function buildTurnMessages ({ speaker: rawSpeaker, listener: rawListener, topic: rawTopic, transcript, sections }: TurnPromptParts): ChatMessage[] {
  // names, descriptions and the topic are user-written text: defused like chat (the system prompt defuses its own)
  const [speaker, listener, topic] = [defusedPersona(rawSpeaker), defusedPersona(rawListener), defuseUserText(rawTopic)]
  const setting = `You are talking with ${listener.name} (${listener.description}) about ${topic.replaceAll('_', ' ')}. ` +
    `Speak only as ${speaker.name}: one short turn of conversation, no stage directions for ${listener.name}.`
  const [last, ...earlier] = [...transcript].reverse()
  const cue = last === undefined || last.speakerId === speaker.id
    ? `(${listener.name} is listening. Say what you would say next about ${topic.replaceAll('_', ' ')}.)`
    : last.content
  return buildMessages({
    persona: rawSpeaker,
    sections: [setting, ...sections],
    summary: '',
    recent: (last !== undefined && last.speakerId !== speaker.id ? earlier.reverse() : transcript)
      .map((l) => ({ role: l.speakerId === speaker.id ? 'persona' as const : 'user' as const, content: l.content })),
    message: cue,
  })
}
