export interface ChatLine {
  key: string
  role: 'user' | 'persona'
  content: string
  /** 'fallback' when the LLM could not answer and the persona's canned reply stood in */
  responseType?: string | null
  /** what the user said that this reply answers: the query of its recalled memories */
  prompt?: string
  state?: 'streaming' | 'cancelled' | 'failed'
}
