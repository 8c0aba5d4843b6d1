import { RpcCallError } from './rpc.ts'

// Terminal text helpers: colours that switch themselves off for pipes and NO_COLOR, readable errors.

export interface Palette {
  bold (text: string): string
  dim (text: string): string
  red (text: string): string
  green (text: string): string
  yellow (text: string): string
  cyan (text: string): string
  magenta (text: string): string
}

/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function colourEnabled (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === ''
}

export function palette (enabled: boolean): Palette {
  const sgr = (open: number, close: number) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text)
  return {
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    magenta: sgr(35, 39),
  }
}

/** `error -32002 persona_unavailable: Aria is resting (retry in 30s)`; plain `error: ...` for anything else. */
export function describeError (err: unknown): string {
  if (err instanceof RpcCallError) {
    const reason = typeof err.data?.reason === 'string' ? ` ${err.data.reason}` : ''
    const retry = typeof err.data?.retry_after === 'number' ? ` (retry in ${Math.ceil(err.data.retry_after)}s)` : ''
    return `error ${err.code}${reason}: ${err.message}${retry}`
  }
  return `error: ${err instanceof Error ? err.message : String(err)}`
}

/** Cuts text to one line of at most `max` characters. */
export function oneLine (text: string, max = 100): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export const fixed = (value: unknown, digits = 2): string => (typeof value === 'number' ? value.toFixed(digits) : '-')

/** Left-aligned columns; widths from the plain text, so colour codes added afterwards do not skew them. */
export function columns (rows: string[][], gap = 2): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length) })
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] + gap))).join('').trimEnd())
}
