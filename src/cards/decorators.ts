// V3 lorebook decorators: lines at the start of an entry's content such as `@@depth 4` or
// `@@dont_activate`. They are instructions, not lore: parsed off the content before it reaches a prompt.

export interface Decorator {
  name: string
  /** the text after the name, trimmed; '' for flags */
  value: string
}

export interface DecoratedContent {
  decorators: Decorator[]
  content: string
}

export function parseDecorators (content: string): DecoratedContent {
  const lines = content.split('\n')
  const decorators: Decorator[] = []
  let i = 0
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (!line.startsWith('@@')) break
    // `@@@name` is a fallback for a decorator the reader may not know; we treat it like the plain one
    const match = /^@@@?([A-Za-z_][\w]*)\s*(.*)$/.exec(line)
    if (match !== null) decorators.push({ name: match[1]!, value: match[2]!.trim() })
  }
  return { decorators, content: lines.slice(i).join('\n') }
}

export function hasDecorator (decorators: readonly Decorator[], name: string): boolean {
  return decorators.some((d) => d.name === name)
}

/** The comma-separated list of a decorator (`@@additional_keys a, b`), [] when absent. */
export function decoratorList (decorators: readonly Decorator[], name: string): string[] {
  return decorators.filter((d) => d.name === name).flatMap((d) => d.value.split(',').map((s) => s.trim())).filter((s) => s !== '')
}

/** A decorator's whole-number value (`@@scan_depth 3`), undefined when absent or not a number. */
export function decoratorNumber (decorators: readonly Decorator[], name: string): number | undefined {
  const found = decorators.find((d) => d.name === name)
  const n = found === undefined ? Number.NaN : Number.parseInt(found.value, 10)
  return Number.isFinite(n) ? n : undefined
}
