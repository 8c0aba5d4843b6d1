/**
 * How deeply params may nest. Schema work (TypeBox Default/Check/Errors) and handlers recurse on params, so
 * a 5,000-deep array would overflow the stack; no method takes anything near this deep.
 */
export const MAX_PARAMS_DEPTH = 64

/**
 * True when objects/arrays in `value` nest deeper than `max` levels (the value itself is level 1).
 * Iterative on purpose: the check must not overflow the stack it protects. Depth first, so it stops soon
 * after it meets a node past the limit: a hostile 100,000-deep chain costs about `max` steps, and a cycle
 * (never from JSON) ends there too.
 */
export function nestedDeeperThan (value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  const nodes: object[] = [value]
  const depths: number[] = [1]
  while (nodes.length > 0) {
    const node = nodes.pop() as object
    const depth = depths.pop() as number
    if (depth > max) return true
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) {
        nodes.push(child)
        depths.push(depth + 1)
      }
    }
  }
  return false
}
