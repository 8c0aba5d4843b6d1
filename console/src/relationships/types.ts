export interface GraphNode { id: string, label: string, kind: 'persona' | 'user' }

/** a relationship's values as the server sends them (relationship.get, the admin lists) */
export interface Standing {
  affinity: number
  trust: number
  respect: number
  intimacy: number
  relationship_type: string
  interaction_count: number
}

export interface Edge extends Standing {
  /** node ids: a persona id, or `user:<id>` */
  a: string
  b: string
  kind: 'persona' | 'user'
}
