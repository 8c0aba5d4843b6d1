// The LLM port: conversation code talks to this, never to Ollama directly.

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface GenerateRequest {
  /** system prompt first, then the transcript; user text only ever appears in `user` messages */
  messages: ChatMessage[]
  /** the reply's token budget (Ollama's num_predict) */
  maxTokens: number
  /** aborts generation: client cancel, disconnect, shutdown */
  signal?: AbortSignal
  /** called with each fragment as it arrives; without it the reply comes back whole */
  onChunk?: (chunk: string) => void
  /** what the fallback should sound like when the model cannot answer */
  fallback?: FallbackHint
}

export interface FallbackHint {
  personaName: string
  priority: string
  socialEnergy: number
}

export interface GenerateResult {
  text: string
  /** 'direct' from the model, 'fallback' when a canned reply stood in */
  responseType: 'direct' | 'fallback'
  /** tokens generated, from the model's own count (eval_count) */
  tokensUsed: number
  promptTokens: number
  /** milliseconds spent waiting on the model (zero for a fallback) */
  llmMs: number
  model: string
}

export interface LlmStatus {
  provider: string
  model: string
  available: boolean
  detail?: string
}

export interface LlmProvider {
  generate (request: GenerateRequest): Promise<GenerateResult>
  status (): LlmStatus
  listModels (): Promise<string[]>
  /** background work (availability re-checks) stops */
  close (): Promise<void>
}

/** Turns texts into vectors; its `id` names the model and dimension, so vectors of different embedders never mix. */
export interface Embedder {
  /** e.g. `hash-384` or `ollama-nomic-embed-text-768` */
  readonly id: string
  readonly dimensions: number
  embed (texts: string[]): Promise<Float32Array[]>
}
