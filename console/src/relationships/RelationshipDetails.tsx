import type { Edge, GraphNode } from './types.ts'

const MEASURES = ['affinity', 'trust', 'respect', 'intimacy'] as const

/** What the selected node or edge stands for: one relationship's measures, or a node's every relationship. */
export function RelationshipDetails ({ selected, nodes, edges }: { selected: string | null, nodes: GraphNode[], edges: Edge[] }) {
  const name = (id: string) => nodes.find((n) => n.id === id)?.label ?? id
  if (selected === null) return <p>Choose a persona, a user or a line between them to see the details.</p>
  const shown = selected.includes('|') ? edges.filter((e) => `${e.a}|${e.b}` === selected) : edges.filter((e) => e.a === selected || e.b === selected)
  return (
    <div class="details" aria-live="polite">
      <h3>{selected.includes('|') ? 'Relationship' : name(selected)}</h3>
      {shown.length === 0 && <p>No relationships yet: they grow from conversations.</p>}
      {shown.map((e) => (
        <table key={`${e.a}|${e.b}`} class="delta">
          <caption>{name(e.a)} and {name(e.b)}: {e.relationship_type}, {e.interaction_count} interactions</caption>
          <tbody>{MEASURES.map((m) => <tr key={m}><th scope="row">{m}</th><td>{e[m].toFixed(3)}</td></tr>)}</tbody>
        </table>
      ))}
    </div>
  )
}
