import type { Api } from '../api/connect.ts'
import type { Persona } from '../personas/types.ts'
import type { Edge } from './types.ts'

type Row = Omit<Edge, 'a' | 'b' | 'kind'> & { persona1_id: string, persona2_id: string, kind?: 'persona' | 'user', other_persona_id?: string }

const edge = (a: string, b: string, kind: Edge['kind'], r: Row): Edge => ({
  a, b, kind, affinity: r.affinity, trust: r.trust, respect: r.respect, intimacy: r.intimacy,
  relationship_type: r.relationship_type, interaction_count: r.interaction_count,
})

/**
 * Every relationship this key may see. Admin keys: the admin list of both kinds. Client keys: each
 * persona's relationships with the others (relationship.list) and with this user (relationship.with_me).
 */
export async function loadEdges (api: Api, personas: Persona[]): Promise<Edge[]> {
  if (api.admin) {
    const page = (kind: string) => api.rest<{ items: Row[] }>('GET', `/relationships?kind=${kind}&limit=100`)
    const [between, withUsers] = await Promise.all([page('persona'), page('user')])
    return [
      ...between.items.map((r) => edge(r.persona1_id, r.persona2_id, 'persona', r)),
      ...withUsers.items.map((r) => edge(r.persona1_id, `user:${r.persona2_id}`, 'user', r)),
    ]
  }
  const edges = new Map<string, Edge>()
  await Promise.all(personas.map(async (p) => {
    const [list, mine] = await Promise.all([
      api.rpc.call<{ relationships: Row[] }>('relationship.list', { persona_id: p.id }),
      api.rpc.call<{ relationship: Row | null }>('relationship.with_me', { persona_id: p.id }),
    ])
    for (const r of list.relationships) {
      const [a, b] = [p.id, r.other_persona_id!].sort() as [string, string]
      edges.set(`${a}|${b}`, edge(a, b, 'persona', r))
    }
    if (mine.relationship) edges.set(`${p.id}|me`, edge(p.id, `user:${api.userId}`, 'user', mine.relationship))
  }))
  return [...edges.values()]
}
