import type { GraphNode } from './types.ts'

export interface Placed extends GraphNode { x: number, y: number }

/** Personas on an inner circle, users on an outer one: every node readable, no physics needed. */
export function circleLayout (nodes: GraphNode[], width: number, height: number): Placed[] {
  const cx = width / 2
  const cy = height / 2
  const ring = (list: GraphNode[], radius: number, turn: number) => list.map((n, i) => {
    const angle = turn + (2 * Math.PI * i) / Math.max(1, list.length) - Math.PI / 2
    return { ...n, x: cx + radius * Math.cos(angle), y: cy + radius * Math.sin(angle) }
  })
  const personas = nodes.filter((n) => n.kind === 'persona')
  const users = nodes.filter((n) => n.kind === 'user')
  const r = Math.min(width, height) / 2 - 40
  // a slight turn keeps lines off the axes (an axis-aligned line has an empty box to click)
  return [...ring(personas, users.length ? r * 0.55 : r, Math.PI / 9), ...ring(users, r, Math.PI / Math.max(2, users.length) + Math.PI / 9)]
}
