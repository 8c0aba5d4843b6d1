import { circleLayout } from './layout.ts'
import type { Edge, GraphNode } from './types.ts'

const W = 640
const H = 440
// trust from red (0) to green (1)
const trustColour = (trust: number) => `hsl(${Math.round(trust * 120)} 65% 40%)`

interface Props { nodes: GraphNode[], edges: Edge[], selected: string | null, onSelect: (id: string) => void }

const activate = (onSelect: () => void) => (e: KeyboardEvent) => {
  if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSelect() }
}

/**
 * Personas and users as nodes; an edge's width is affinity, its colour trust. Nodes and edges are focusable
 * buttons (SVG attributes are case-sensitive: `tabindex`, not `tabIndex`).
 */
export function RelationshipGraph ({ nodes, edges, selected, onSelect }: Props) {
  const placed = circleLayout(nodes, W, H)
  const at = new Map(placed.map((n) => [n.id, n]))
  const name = (id: string) => at.get(id)?.label ?? id
  return (
    <svg class="graph" viewBox={`0 0 ${W} ${H}`} role="group" aria-label="Relationship graph">
      {edges.map((e) => {
        const a = at.get(e.a)
        const b = at.get(e.b)
        if (!a || !b) return null
        const id = `${e.a}|${e.b}`
        return (
          <g key={id} role="button" tabindex={0} class={`edge${selected === id ? ' selected' : ''}`}
            aria-label={`${name(e.a)} and ${name(e.b)}: ${e.relationship_type}, affinity ${e.affinity.toFixed(2)}, trust ${e.trust.toFixed(2)}`}
            onClick={() => onSelect(id)} onKeyDown={activate(() => onSelect(id))}>
            <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} class="hit" />
            <line x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke={trustColour(e.trust)} stroke-width={1 + 7 * e.affinity} stroke-dasharray={e.kind === 'user' ? '6 4' : undefined} />
          </g>
        )
      })}
      {placed.map((n) => (
        <g key={n.id} role="button" tabindex={0} class={`node ${n.kind}${selected === n.id ? ' selected' : ''}`}
          aria-label={`${n.label} (${n.kind})`} onClick={() => onSelect(n.id)} onKeyDown={activate(() => onSelect(n.id))}>
          <circle cx={n.x} cy={n.y} r={n.kind === 'persona' ? 26 : 18} />
          <text x={n.x} y={n.y + (n.kind === 'persona' ? 42 : 32)} text-anchor="middle">{n.label}</text>
        </g>
      ))}
    </svg>
  )
}
