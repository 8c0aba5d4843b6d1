// How a lorebook key is found in the conversation. SillyTavern's defaults: a plain substring match,
// case-insensitive, unless the entry (or the book's caller) asks for case sensitivity or whole words;
// V3's `use_regex` makes keys regular expressions (`/pattern/flags` or a bare pattern).

export interface KeyMatchOptions {
  caseSensitive: boolean
  wholeWords: boolean
  regex: boolean
}

/** A key longer than this is not a key; also bounds the regular expressions we compile. */
const MAX_KEY_LENGTH = 500

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function compileRegex (key: string, caseSensitive: boolean): RegExp | undefined {
  const slashed = /^\/(.+)\/([a-z]*)$/s.exec(key)
  try {
    if (slashed !== null) return new RegExp(slashed[1]!, slashed[2]!.replace(/[gy]/g, ''))
    return new RegExp(key, caseSensitive ? '' : 'i')
  } catch {
    return undefined // a broken pattern matches nothing rather than failing the whole prompt
  }
}

/** The text to search, prepared once per scan: lower-cased for the case-insensitive substring test. */
export class ScanText {
  readonly text: string
  private lowered: string | undefined
  constructor (text: string) { this.text = text }
  get lower (): string { return (this.lowered ??= this.text.toLowerCase()) }
}

export function keyMatches (rawKey: string, scan: ScanText, opts: KeyMatchOptions): boolean {
  const key = opts.regex ? rawKey : rawKey.trim()
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) return false
  if (opts.regex) return compileRegex(key, opts.caseSensitive)?.test(scan.text) ?? false
  // multi-word keys are matched as phrases even with whole words on, as SillyTavern does
  if (opts.wholeWords && !/\s/.test(key)) {
    const flags = opts.caseSensitive ? 'u' : 'iu'
    return new RegExp(`(?:^|[^\\p{L}\\p{N}_])${escapeRegex(key)}(?:$|[^\\p{L}\\p{N}_])`, flags).test(scan.text)
  }
  return opts.caseSensitive ? scan.text.includes(key) : scan.lower.includes(key.toLowerCase())
}

/** The first of `keys` found, or undefined. */
export function firstMatch (keys: readonly string[], scan: ScanText, opts: KeyMatchOptions): string | undefined {
  return keys.find((k) => keyMatches(k, scan, opts))
}
