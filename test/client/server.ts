import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { childEnv } from '../child-env.ts'
import { onProcessExit } from '../helpers/exit-hook.ts'

// Helpers for the client tests: a real server process (as `npm start` runs it) and the client as
// a child process, each with a minimal environment so nothing from the test runner leaks in.

export const root = fileURLToPath(new URL('../..', import.meta.url))

interface Teardown { teardown (fn: () => unknown): void }

export interface RunningServer {
  port: number
  url: string
  output: () => string
  /** the server's warning and error log lines: what a failing test should show */
  problems: () => string
  /** signals the process (SIGKILL: a crash) */
  kill: (signal: NodeJS.Signals) => void
}

/** Starts `persona-mcp serve` on a free port and resolves once it is listening. */
export async function startServer (t: Teardown, env: Record<string, string>): Promise<RunningServer> {
  // its own directory: t.testdir() empties the test's directory each time it is called
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pmcp-data-'))
  const child = spawn(process.execPath, ['bin/persona-mcp.js', 'serve'], {
    cwd: root,
    env: childEnv({ DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', VECTOR_STORE: 'local', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const removeData = () => { rmSync(dataDir, { recursive: true, force: true }) }
  // a test process that ends before its teardown finishes must not leave the server running
  const unhook = onProcessExit(() => { child.kill('SIGKILL'); removeData() })
  t.teardown(async () => {
    await stop(child)
    unhook()
    removeData()
  })
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}: ${output}`)))
  })
  const problems = () => output.split('\n').filter((line) => /"level":(4|5|6)0/.test(line)).join('\n')
  return { port, url: `ws://127.0.0.1:${port}/mcp`, output: () => output, problems, kill: (signal) => { child.kill(signal) } }
}

/** Runs a client script (client/NAME.ts) to its end, with input piped in when given. */
export function runClient (script: string, args: string[], input = '', env: Record<string, string> = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', `client/${script}`, ...args], {
    cwd: root,
    env: childEnv({ HOME: process.env.HOME ?? '/tmp', PERSONA_CLIENT_HISTORY: '', ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  child.stdin.end(input)
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
  const unhook = onProcessExit(() => { child.kill('SIGKILL') })
  return new Promise((resolve) => child.once('close', (code) => {
    clearTimeout(timer)
    unhook()
    resolve({ code, stdout, stderr })
  }))
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}
