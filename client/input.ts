import { readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'

// Input plumbing for the REPL: an ordered line queue and the saved readline history.

/** Input lines in order, so commands run one at a time even when input is piped in all at once. */
export class Lines {
  readonly #queue: string[] = []
  #waiter: ((line: string | null) => void) | undefined
  #ended = false

  push (line: string): void {
    if (this.#waiter) {
      this.#waiter(line)
      this.#waiter = undefined
    } else this.#queue.push(line)
  }

  end (): void {
    this.#ended = true
    this.#waiter?.(null)
  }

  /** the next line, or null once input has ended and the queue is empty */
  next (): Promise<string | null> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift() as string)
    if (this.#ended) return Promise.resolve(null)
    return new Promise((resolve) => { this.#waiter = resolve })
  }
}

/** PERSONA_CLIENT_HISTORY names the file; set but empty, no history is kept. */
export function historyFile (env: NodeJS.ProcessEnv = process.env): string {
  return env.PERSONA_CLIENT_HISTORY ?? path.join(homedir(), '.persona-mcp-history')
}

/** readline wants the newest entry first; the file keeps the oldest first, like a shell's. */
export function loadHistory (file: string): string[] {
  if (!file) return []
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse()
  } catch {
    return []
  }
}

export function saveHistory (file: string, newestFirst: string[]): void {
  if (!file || newestFirst.length === 0) return
  try {
    writeFileSync(file, `${[...newestFirst].reverse().join('\n')}\n`, { mode: 0o600 })
  } catch {
    // history is a convenience: an unwritable home must not spoil leaving
  }
}
