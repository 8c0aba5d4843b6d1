import { Type } from '@sinclair/typebox'
import { CONDITIONS, type Condition } from './state.ts'

// A persona's condition on the wire (persona.status): how its state colours its answers.

const ConditionName = Type.Union(CONDITIONS.map((c) => Type.Literal(c)))

export const ConditionView = Type.Object({
  state: ConditionName,
  flags: Type.Array(ConditionName),
  mood_note: Type.Union([Type.String(), Type.Null()], { description: 'what the persona is told about how it feels, in its prompt' }),
  reply_budget_factor: Type.Number({ description: 'share of the requested token budget its replies get now' }),
}, { description: 'how the interaction state colours answers; it never refuses a user unless personas.refuseWhenExhausted is on' })

export const conditionView = (c: Condition) => ({ state: c.state, flags: c.flags, mood_note: c.note, reply_budget_factor: c.replyBudgetFactor })
