import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { RpcClient } from './helpers/rpc-client.ts'
import { startOllamaFixture } from './fixtures/ollama-server.ts'
import { childEnv } from './child-env.ts'
import { removeOrphans, staleReason } from '../bin/build.js'

// The command line as a user runs it: a real process, real signals, a real socket.

const root = fileURLToPath(new URL('..', import.meta.url))

function run (args: string[], env: Record<string, string>) {
  return spawn(process.execPath, ['bin/persona-mcp.js', ...args], {
    cwd: root,
    env: childEnv({ OLLAMA_HOST: 'http://127.0.0.1:9', VECTOR_STORE: 'local', ...env }),
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
  t.equal(staleReason(), null, 'the command ran the compiled server, dist/ built and up to date')
})

t.test('dist/ counts as stale when missing or older than a source or tsconfig, never where there are no sources', async (t) => {
  const root = t.testdir({ src: { 'server.ts': '', store: { 'a.ts': '' } }, plugins: { 'b.ts': '' }, 'tsconfig.json': '{}', 'tsconfig.build.json': '{}', 'README.md': '' })
  t.match(staleReason(root), /not been built/)
  const past = Date.now() / 1000 - 60
  for (const file of ['src/server.ts', 'src/store/a.ts', 'plugins/b.ts', 'tsconfig.json', 'tsconfig.build.json']) utimesSync(path.join(root, file), past, past)
  mkdirSync(path.join(root, 'dist'))
  writeFileSync(path.join(root, 'dist', '.built'), '')
  t.equal(staleReason(root), null, 'built after every source')
  utimesSync(path.join(root, 'README.md'), Date.now() / 1000 + 60, Date.now() / 1000 + 60)
  t.equal(staleReason(root), null, 'other files do not count')
  utimesSync(path.join(root, 'src/store/a.ts'), Date.now() / 1000 + 60, Date.now() / 1000 + 60)
  t.equal(staleReason(root), 'src/store/a.ts changed')
  utimesSync(path.join(root, 'src/store/a.ts'), past, past)
  utimesSync(path.join(root, 'tsconfig.build.json'), Date.now() / 1000 + 60, Date.now() / 1000 + 60)
  t.equal(staleReason(root), 'tsconfig.build.json changed')
  rmSync(path.join(root, 'src'), { recursive: true })
  t.equal(staleReason(root), null, 'an image ships dist/ without sources: nothing to build')
})

t.test('a build removes compiled files whose source is gone', async (t) => {
  const root = t.testdir({
    src: { 'kept.ts': '' },
    dist: { '.built': '', src: { 'kept.js': '', 'kept.js.map': '', 'moved.js': '', 'moved.js.map': '' } },
  })
  removeOrphans(root)
  t.ok(existsSync(path.join(root, 'dist/src/kept.js')) && existsSync(path.join(root, 'dist/src/kept.js.map')), 'compiled sources stay')
  t.notOk(existsSync(path.join(root, 'dist/src/moved.js')) || existsSync(path.join(root, 'dist/src/moved.js.map')), 'orphans go')
  t.ok(existsSync(path.join(root, 'dist/.built')))
})

/** `persona-mcp serve` on a free port; resolves once it listens. */
async function serve (t: Test, env: Record<string, string> = {}) {
  const child = run(['serve'], { DATA_DIR: t.testdir(), PORT: '0', LOG_LEVEL: 'info', ...env })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const state = { output: '' }
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      state.output += chunk.toString()
      const match = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(state.output)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}: ${state.output}`)))
  })
  return { child, port, state }
}

t.test('SIGTERM finishes, closes sockets with 1001 and exits 0', async (t) => {
  const { child, port, state } = await serve(t)
  const client = await RpcClient.connect(`ws://127.0.0.1:${port}/mcp`)
  t.equal((await client.call('persona.list')).total_count, 2)
  const closed = client.closed()
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  child.kill('SIGTERM')
  t.equal((await closed).code, 1001, 'the socket is closed as going away')
  t.same(await exited, { code: 0, signal: null }, 'the process exits 0')
  t.match(state.output, /shutting down/)
  t.match(state.output, /"startup_ms":\{"total":\d+,"imports":\d+,"build":\d+,"listen":\d+\}/, 'start-up logs where its time went')
})

t.test('SIGTERM with a call still running past the grace period: 1001, the call aborted, exit 0', async (t) => {
  // the model never answers in time: the chat is still running when the grace period ends
  const fixture = await startOllamaFixture({ firstChunkDelayMs: 120_000 })
  t.teardown(() => fixture.close())
  const graceMs = 10_000 // the default, which is also Fastify's own close timeout
  const { child, port, state } = await serve(t, { OLLAMA_HOST: fixture.url })
  const client = await RpcClient.connect(`ws://127.0.0.1:${port}/mcp`)
  await client.call('persona.switch', { persona_id: 'aria' })
  const chat = client.request('persona.chat', { message: 'take your time' })
  const deadline = Date.now() + 5000
  while (!fixture.requests.some((r) => r.path === '/api/chat') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.ok(fixture.requests.some((r) => r.path === '/api/chat'), 'the call is in flight at the model')
  const closed = client.closed()
  const exited = new Promise<{ code: number | null, signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const signalled = Date.now()
  child.kill('SIGTERM')
  t.equal((await closed).code, 1001, 'the socket is closed as going away')
  t.same(await exited, { code: 0, signal: null }, `the process exits 0 (${state.output.split('\n').filter((l) => /"level":(50|60)/.test(l)).join(' ')})`)
  const took = Date.now() - signalled
  t.ok(took >= graceMs - 500 && took < graceMs + 4000, `within the grace period and a few seconds (${took} ms)`)
  t.ok(fixture.aborted >= 1, 'the model request was aborted')
  t.notMatch(state.output, /did not start in time|shutdown failed/)
  void chat
})
