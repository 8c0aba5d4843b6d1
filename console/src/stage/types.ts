export type { Standing } from '../relationships/types.ts'

export interface Turn {
  turn_number: number
  speaker_id: string
  speaker_name: string
  content: string
  response_type: string
  continue_score: number
  tokens_remaining: number
  ended: boolean
  end_reason: string | null
}
