import { useEffect, useState } from 'preact/hooks'
import { useApi } from '../api/context.ts'
import { describeError } from '../api/errors.ts'
import { usePersonas } from '../personas/directory.ts'
import { ErrorNote } from '../ui/ErrorNote.tsx'
import { ViewHeading } from '../ui/ViewHeading.tsx'
import { loadEdges } from './load-edges.ts'
import { RelationshipDetails } from './RelationshipDetails.tsx'
import { RelationshipGraph } from './RelationshipGraph.tsx'
import type { Edge, GraphNode } from './types.ts'

/** The graph of personas and users, edges by affinity and trust, details on click. */
export function RelationshipsView () {
  const api = useApi()
  const { personas } = usePersonas()
  const [edges, setEdges] = useState<Edge[]>([])
  const [selected, setSelected] = useState<string | null>(null)
  const [error, setError] = useState<string>()
  useEffect(() => {
    if (personas.length) loadEdges(api, personas).then(setEdges, (err: unknown) => setError(describeError(err)))
  }, [api, personas.length])

  const users = [...new Set(edges.filter((e) => e.kind === 'user').map((e) => e.b))]
  const nodes: GraphNode[] = [
    ...personas.map((p) => ({ id: p.id, label: p.name, kind: 'persona' as const })),
    ...users.map((id) => ({ id, label: id === `user:${api.userId}` ? `${api.userId} (you)` : id.slice('user:'.length), kind: 'user' as const })),
  ]
  return (
    <section class="view relationships" aria-labelledby="view-title">
      <ViewHeading>Relationships</ViewHeading>
      <p class="hint">Line width: affinity. Colour: trust, red (none) to green (full). Dashed: a persona and a user.</p>
      <ErrorNote error={error} />
      <div class="graph-layout">
        <RelationshipGraph nodes={nodes} edges={edges} selected={selected} onSelect={setSelected} />
        <RelationshipDetails selected={selected} nodes={nodes} edges={edges} />
      </div>
    </section>
  )
}
