import { rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ChildProcess } from 'node:child_process'
import type WebSocket from 'ws'
import { startOllamaFixture } from '../test/fixtures/ollama-server.ts'
import { postgresUnavailable, startPostgres, type Postgres } from '../test/helpers/postgres.ts'
import { cores, cpuWindow, pidsMatching } from './cpu.ts'
import { connect, fmt, percentile, rpc, startServer, tempDir } from './lib.ts'

// Chat turns per second through 1, 2 and 3 server instances on one PostgreSQL, beside one instance on
// SQLite, in the same run (issue 14 item 5). Each of CLIENTS WebSocket clients has its own session and
// its own persona and says persona.chat again and again; clients are dealt round-robin over the
// instances (the client picks its instance: no load balancer in between). The LLM is the fixture that
// speaks Ollama's wire format, in this process; every instance uses the in-process local vector index
// (no Chroma: each instance indexes the memories written through it). A fresh database per configuration.
// BENCH_SECONDS (default 10) measured after BENCH_WARMUP (default 2) discarded; BENCH_CLIENTS (default 24).

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2)
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 24)
const skip = postgresUnavailable()
if (skip !== undefined) throw new Error(`no PostgreSQL for the benchmark: ${skip}`)

const fixture = await startOllamaFixture({ models: ['llama3.1:8b'], reply: () => 'The tavern hums with songs tonight, friend, and I have a new one for you.' })
// the reply gate (ollama.maxConcurrent, 2 by default, per instance) would otherwise cap each instance's
// turns and make more instances look faster only for having more slots; the fixture needs no gate
const configFile = path.join(tempDir('bench-instances-'), 'config.json')
writeFileSync(configFile, JSON.stringify({ ollama: { maxConcurrent: CLIENTS, maxQueue: CLIENTS }, server: { databasePoolSize: Number(process.env.BENCH_POOL ?? CLIENTS) } }))
const pg: Postgres = await startPostgres()
const postmaster = pidsMatching(new RegExp(`bin/postgres .*-p ${new URL(pg.baseUrl).port}\\b`))

interface Run { name: string, instances: number, turns: number, seconds: number, perSecond: number, p50: number, p99: number, failed: number, cpu: { servers: number, postgres: number, self: number, machine: number } }

async function startInstances (count: number, env: Record<string, string>): Promise<Array<{ url: string, child: ChildProcess }>> {
  // one first: it migrates (and builds dist/ if stale); the others find that done
  const first = await startServer({ OLLAMA_HOST: fixture.url, PERSONA_CONFIG: configFile, ...env })
  const rest = await Promise.all(Array.from({ length: count - 1 }, () => startServer({ OLLAMA_HOST: fixture.url, PERSONA_CONFIG: configFile, ...env })))
  return [first, ...rest]
}

/** Every client says persona.chat, waits for its reply, and again, until the deadline; failed = error replies and fallbacks. */
async function chatLoop (sockets: WebSocket[], seconds: number): Promise<{ latencies: number[], failed: number, seconds: number }> {
  const latencies: number[] = []
  let failed = 0
  let id = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  await Promise.all(sockets.map((socket, n) => new Promise<void>((resolve) => {
    let sentAt = 0
    let waiting = ''
    const next = () => {
      if (performance.now() >= deadline) { socket.off('message', onMessage); resolve(); return }
      waiting = `c${n}-${++id}`
      sentAt = performance.now()
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: waiting, method: 'persona.chat', params: { message: `Client ${n} asks for song ${id}` } }))
    }
    const onMessage = (data: Buffer) => {
      const reply = JSON.parse(data.toString())
      if (reply.id !== waiting) return // a notification
      latencies.push(performance.now() - sentAt)
      if (reply.error !== undefined || reply.result?.response_type !== 'direct') failed++
      next()
    }
    socket.on('message', onMessage)
    next()
  })))
  return { latencies, failed, seconds: (performance.now() - started) / 1000 }
}

async function measure (name: string, count: number, env: Record<string, string>): Promise<Run> {
  process.stderr.write(`instances: ${name} ...\n`)
  const instances = await startInstances(count, env)
  const sockets = (await Promise.all(Array.from({ length: CLIENTS }, (_, i) => connect(instances[i % count]!.url, 1)))).flat()
  await Promise.all(sockets.map(async (socket, i) => {
    const persona = await rpc(socket, 'persona.create', { name: `Bencher ${i}`, description: 'A patient bard.', available_time: 86400, social_energy: 200 })
    await rpc(socket, 'persona.switch', { persona_id: persona.persona_id })
  }))
  await chatLoop(sockets, WARMUP)
  const servers = instances.map((s) => s.child.pid!)
  const window = cpuWindow({ servers, postgres: postmaster })
  const self = process.cpuUsage()
  const loop = await chatLoop(sockets, SECONDS)
  const spent = window.stop()
  const used = process.cpuUsage(self)
  const selfSeconds = (used.user + used.system) / 1e6
  for (const socket of sockets) socket.terminate()
  await Promise.all(instances.map((s) => new Promise((resolve) => { s.child.once('exit', resolve); s.child.kill('SIGTERM') })))
  const sorted = loop.latencies.sort((a, b) => a - b)
  const share = (s: number) => s / spent.seconds / cores()
  return {
    name, instances: count, turns: sorted.length, seconds: loop.seconds, perSecond: sorted.length / loop.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), failed: loop.failed,
    cpu: { servers: share(spent.groups.servers ?? 0), postgres: share(spent.groups.postgres ?? 0), self: share(selfSeconds), machine: spent.machineBusy },
  }
}

const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ')
const runs: Run[] = []
runs.push(await measure('SQLite, 1 instance (baseline)', 1, {}))
for (const count of [1, 2, 3]) runs.push(await measure(`PostgreSQL, ${count} instance${count > 1 ? 's' : ''}`, count, { DATABASE_URL: await pg.createDatabase() }))
pg.stop()
await fixture.close()
rmSync(path.dirname(configFile), { recursive: true, force: true })

const pct = (x: number) => `${Math.round(100 * x)}%`
const [sqlite, pg1, pg2, pg3] = runs as [Run, Run, Run, Run]
// a machine this busy had no core to spare (more instances could not go faster); a process this busy had
// used up its one JavaScript thread (the CPU shares are of all cores: one core is 1 / cores)
const BOUND = 0.9
function limit (r: Run): string {
  if (r.cpu.machine >= BOUND) return `the cores (machine ${pct(r.cpu.machine)} busy)`
  if ((r.cpu.servers / r.instances) * cores() >= BOUND) return `each instance's one thread (machine ${pct(r.cpu.machine)} busy)`
  if (r.cpu.self * cores() >= BOUND) return `the load generator's one thread (machine ${pct(r.cpu.machine)} busy)`
  return `no CPU bound reached (machine ${pct(r.cpu.machine)} busy)`
}
/** CPU milliseconds the servers and PostgreSQL spent per turn: what a turn costs, whatever the cores */
const cpuPerTurn = (r: Run) => ((r.cpu.servers + r.cpu.postgres) * cores() * r.seconds * 1000) / r.turns
// on machines with cores to spare the turns/s ratio is the answer; where the cores ran out, the cost per
// turn says whether more instances would have scaled: the same cost per turn is the same work, spread
const ratio = (label: string, a: Run, b: Run, target: string) =>
  `| ${label} | **${fmt(a.perSecond / b.perSecond)}x** | ${fmt(a.p99 / b.p99)}x | ${fmt(cpuPerTurn(a) / cpuPerTurn(b))}x | ${target} | ${limit(a)} |`
process.stdout.write([
  `> ${CLIENTS} clients (each its own session and persona, persona.chat in a loop), dealt round-robin over the instances by the client (no load balancer); configurations in the order shown, each on a fresh database; ${WARMUP} s warm-up discarded, ${SECONDS} s measured per configuration. ` +
    `Fixture LLM (Ollama wire format) and load generator in one process; local vector index; PostgreSQL 15 as test/helpers/postgres.ts starts it (fsync, synchronous_commit and full_page_writes off); ollama.maxConcurrent and server.databasePoolSize raised to ${CLIENTS} (BENCH_POOL). ` +
    `${cores()} cores shared by the servers, PostgreSQL and the load generator; load average ${load} at the start. CPU columns: share of all ${cores()} cores over the measured window (other work: the rest of the machine, other people\'s jobs).`, '',
  '| configuration | turns/s | p50 ms | p99 ms | failed | CPU servers | CPU PostgreSQL | CPU load+LLM | CPU other work | machine busy | server+PostgreSQL CPU ms per turn | limit |', '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...runs.map((r) => `| ${r.name} | ${fmt(r.perSecond, 0)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.failed} | ${pct(r.cpu.servers)} | ${pct(r.cpu.postgres)} | ${pct(r.cpu.self)} | ${pct(Math.max(0, r.cpu.machine - r.cpu.servers - r.cpu.postgres - r.cpu.self))} | ${pct(r.cpu.machine)} | ${fmt(cpuPerTurn(r))} | ${limit(r)} |`),
  '', '| ratio | turns/s | p99 | CPU per turn | target | what limited the numerator\'s run |', '|---|---|---|---|---|---|',
  ratio('PostgreSQL 1 / SQLite 1', pg1, sqlite, 'at least 0.7x'),
  ratio('PostgreSQL 2 / PostgreSQL 1', pg2, pg1, '-'),
  ratio('PostgreSQL 3 / PostgreSQL 1', pg3, pg1, 'at least 2x'),
].join('\n') + '\n')
