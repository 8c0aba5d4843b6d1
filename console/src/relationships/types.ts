export interface GraphNode { id: string, label: string, kind: 'persona' | 'user' }

export interface Edge {
  /** node ids: a persona id, or `user:<id>` */
  a: string
  b: string
  kind: 'persona' | 'user'
  affinity: number
  trust: number
  respect: number
  intimacy: number
  relationship_type: string
  interaction_count: number
}
