export interface Memory {
  id: string
  content: string
  memory_type: string
  importance: number
  visibility: 'private' | 'shared' | 'public'
  created_at: string
  accessed_count: number
  score?: number
  protected?: boolean
}

export interface MemoryFilter {
  query: string
  type: string
  minImportance: number
  visibility: string
  /** days; 0 = any age */
  maxAgeDays: number
}

export const VISIBILITIES = ['private', 'shared', 'public'] as const
