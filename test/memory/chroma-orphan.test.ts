import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { alive, chromaProcessesOn, readPidFile } from '../../src/store/vector/chroma-orphans.ts'
import { chromaCliPath, freePort } from '../../src/store/vector/chroma-process.ts'
import { childEnv } from '../child-env.ts'

// The bundled Chroma dies with its server, however the server dies, and a start clears what an earlier one left.

const root = fileURLToPath(new URL('../..', import.meta.url))

/** `persona-mcp serve` with the bundled Chroma; resolves once it listens. */
async function serve (t: Test, dataDir: string) {
  const child = spawn(process.execPath, ['bin/persona-mcp.js', 'serve'], {
    cwd: root,
    env: childEnv({ OLLAMA_HOST: 'http://127.0.0.1:9', VECTOR_STORE: 'chroma', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (/listening at http:\/\/127\.0\.0\.1:\d+/.test(output)) resolve()
    })
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}: ${output}`)))
  })
  return { child, output: () => output }
}

const exited = (child: ChildProcess) => new Promise<{ code: number | null, signal: string | null }>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode })
  else child.once('exit', (code, signal) => resolve({ code, signal }))
})

async function gone (pid: number, ms = 8000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (alive(pid) && Date.now() < deadline) await sleep(50)
  return !alive(pid)
}

/** Chroma servers on `dir` themselves (node running the CLI), not the guardian shells in front of them. */
const serversOn = (dir: string) => chromaProcessesOn(dir).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath)

t.test('kill -9 of the server takes its bundled Chroma with it', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const dataDir = t.testdir()
  const chromaDir = path.join(dataDir, 'chroma')
  const { child } = await serve(t, dataDir)
  const recorded = readPidFile(chromaDir)
  t.ok(recorded, 'the pid file names the running Chroma')
  const pid = recorded?.pid ?? 0
  t.equal(recorded?.owner, child.pid)
  t.ok(alive(pid), 'Chroma runs')
  t.same(serversOn(chromaDir), [pid], 'one Chroma on the data directory')
  t.ok((await fetch(`http://127.0.0.1:${recorded?.port}/api/v2/heartbeat`)).ok, 'on the recorded port')
  const killed = Date.now()
  child.kill('SIGKILL')
  await exited(child)
  t.ok(await gone(pid), `Chroma is gone after its server was killed (${Date.now() - killed} ms)`)
  const guardians = Date.now() + 5000
  while (chromaProcessesOn(chromaDir).length > 0 && Date.now() < guardians) await sleep(50)
  t.same(chromaProcessesOn(chromaDir), [], 'its guardian too')
})

t.test('a start stops a Chroma left on its data directory: exactly one runs afterwards', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const dataDir = t.testdir()
  const chromaDir = path.join(dataDir, 'chroma')
  // a crash first leaves a stale pid file behind
  const first = await serve(t, dataDir)
  first.child.kill('SIGKILL')
  await exited(first.child)
  const stale = readPidFile(chromaDir)
  t.ok(stale, 'a leftover pid file')
  t.ok(await gone(stale?.pid ?? 0))
  // and then a Chroma started by hand on the same directory, outliving whoever started it
  const port = await freePort()
  const orphan = spawn('/bin/sh', ['-c', 'unset NODE_OPTIONS; exec "$@"', 'orphan', process.execPath, chromaCliPath(), 'run', '--path', chromaDir, '--host', '127.0.0.1', '--port', String(port)], {
    stdio: 'ignore', detached: true, env: { PATH: process.env.PATH ?? '', ANONYMIZED_TELEMETRY: 'False' },
  })
  t.teardown(() => { if (orphan.pid !== undefined && alive(orphan.pid)) process.kill(orphan.pid, 'SIGKILL') })
  const deadline = Date.now() + 30_000
  while (!await fetch(`http://127.0.0.1:${port}/api/v2/heartbeat`).then((r) => r.ok, () => false)) {
    if (Date.now() > deadline) throw new Error('the planted Chroma did not start')
    await sleep(100)
  }
  t.same(serversOn(chromaDir), [orphan.pid], 'the planted orphan runs')

  const { child, output } = await serve(t, dataDir)
  t.ok(await gone(orphan.pid ?? 0), 'the orphan was stopped')
  const recorded = readPidFile(chromaDir)
  t.same(serversOn(chromaDir), [recorded?.pid], 'exactly one Chroma on the data directory: the new one')
  t.equal(recorded?.owner, child.pid)
  t.match(output(), /stopping a bundled Chroma left running on this data directory/)
  const pid = recorded?.pid ?? 0
  child.kill('SIGTERM')
  t.same(await exited(child), { code: 0, signal: null }, 'a clean shutdown')
  t.ok(await gone(pid), 'stops its Chroma')
  t.notOk(readPidFile(chromaDir), 'and removes the pid file')
})
