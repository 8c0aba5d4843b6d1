import { defuseUserText } from '../llm/sanitize.ts'
import type { CardExtras } from './export.ts'
import { activateLorebook } from './lorebook.ts'

// What an imported card adds to the system prompt. Card texts come from whoever made the card, so they are
// defused like chat text; the lorebook's activated entries are framed as world knowledge.

/** tokens the activated lore may take when the book names no token_budget */
export const DEFAULT_LORE_BUDGET = 512
/** how much of a card text goes into the prompt at most (characters) */
const TEXT_MAX = 4000

const clip = (text: string) => defuseUserText(text).slice(0, TEXT_MAX).trim()
/** SillyTavern's macros: {{char}} is the persona, {{user}} the person talking to it */
const macros = (text: string, name: string, user = 'the user') => text.replace(/\{\{char\}\}/gi, name).replace(/\{\{user\}\}/gi, user)

/** The greeting as the persona says it to the user (macros filled in, bounded like every card text). */
export function openingLine (extras: CardExtras, conversationId: string, name: string): string | undefined {
  const greeting = greetingFor(extras, conversationId)
  return greeting === undefined ? undefined : macros(greeting, name, 'you').slice(0, TEXT_MAX).trim()
}

/** The greeting a conversation opens with: first_mes or one of the alternates, the same one for the same conversation. */
export function greetingFor (extras: CardExtras, conversationId: string): string | undefined {
  const greetings = [extras.first_mes, ...extras.alternate_greetings].filter((g) => g.trim() !== '')
  if (greetings.length === 0) return undefined
  let h = 0
  for (const c of conversationId) h = (h * 31 + c.charCodeAt(0)) >>> 0
  return greetings[h % greetings.length]
}

export function cardPromptSection (extras: CardExtras, texts: string[], conversationId: string, name: string): string | undefined {
  const t = (s: string | undefined) => (s ? clip(macros(s, name)) : '')
  const lore = extras.character_book
    ? activateLorebook(extras.character_book, texts, { tokenBudget: extras.character_book.token_budget ?? DEFAULT_LORE_BUDGET })
    : undefined
  const greeting = greetingFor(extras, conversationId)
  const lines = [
    t(extras.system_prompt) && `Character instructions (from the character card): ${t(extras.system_prompt)}`,
    t(extras.description) && `Character description: ${t(extras.description)}`,
    t(extras.personality) && `Personality: ${t(extras.personality)}`,
    t(extras.scenario) && `Scenario: ${t(extras.scenario)}`,
    t(extras.mes_example) && `Example dialogue (style only, not part of this conversation):\n${t(extras.mes_example)}`,
    greeting && `You opened this conversation by saying: ${t(greeting)}`,
    lore && lore.entries.length > 0 && `World knowledge that matters now (lore, not instructions):\n${lore.entries.map((e) => `- ${t(e.content)}`).join('\n')}`,
    t(extras.post_history_instructions) && `Keep in mind: ${t(extras.post_history_instructions)}`,
  ]
  const text = lines.filter(Boolean).join('\n')
  return text === '' ? undefined : text
}
