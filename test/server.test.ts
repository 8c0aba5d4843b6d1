import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { RpcClient } from './helpers/rpc-client.ts'

// The command line as a user runs it: a real process, real signals, a real socket.

const root = fileURLToPath(new URL('..', import.meta.url))

function run (args: string[], env: Record<string, string>) {
  return spawn(process.execPath, ['bin/persona-mcp.js', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', OLLAMA_HOST: 'http://127.0.0.1:9', VECTOR_STORE: 'local', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

t.test('persona-mcp migrate creates and migrates the database, then exits', async (t) => {
  const dataDir = t.testdir()
  const child = run(['migrate'], { DATA_DIR: dataDir, LOG_LEVEL: 'warn' })
  const code = await new Promise((resolve) => child.once('exit', resolve))
  t.equal(code, 0)
  const file = path.join(dataDir, 'persona.db')
  t.ok(existsSync(file))
  const db = new Database(file, { readonly: true })
  t.teardown(() => db.close())
  const rows = db.prepare('SELECT migration_name, finished_at FROM _prisma_migrations').all() as Array<{ finished_at: string | null }>
  t.ok(rows.length >= 1 && rows.every((r) => r.finished_at !== null), 'every migration recorded as finished')
  t.equal((db.pragma('journal_mode', { simple: true }) as string).toLowerCase(), 'wal')
})

t.test('SIGTERM finishes, closes sockets with 1001 and exits 0', async (t) => {
  const child = run(['serve'], { DATA_DIR: t.testdir(), PORT: '0', LOG_LEVEL: 'info' })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}: ${output}`)))
  })
  const client = await RpcClient.connect(`ws://127.0.0.1:${port}/mcp`)
  t.equal((await client.call('persona.list')).total_count, 2)
  const closed = client.closed()
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  child.kill('SIGTERM')
  t.equal((await closed).code, 1001, 'the socket is closed as going away')
  t.same(await exited, { code: 0, signal: null }, 'the process exits 0')
  t.match(output, /shutting down/)
})
