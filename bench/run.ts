import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'

// `npm run bench`: every benchmark in its own process, one after another (they would skew each
// other), each printing a table with its baseline measured in the same run; bench/RESULTS.md collects them.

const root = fileURLToPath(new URL('..', import.meta.url))
const only = process.argv.slice(2)

const suites = [
  { file: 'rpc-roundtrip.ts', args: ['5', '1,100'], title: 'JSON-RPC round trips (ping and persona.list) vs a raw ws echo server, each server in its own process', target: 'at least 0.85x the echo at 1 connection and 0.75x at 100' },
  { file: 'read-methods.ts', args: ['5', '1,100'], title: 'Read methods people call vs ping, on the same sockets in the same run (issue 13 item 4)', target: 'every read method at least 0.5x ping at 100 sockets' },
  { file: 'connections.ts', args: ['15000'], title: 'Idle connections and memory', target: '15,000 connections held; RSS per connection under 10 KB' },
  { file: 'chat-overhead.ts', args: ['1000'], title: 'Chat overhead per turn beyond the LLM (fixture LLM, Ollama wire format)', target: 'overhead p99 under 10 ms; extra time to first token p99 under 5 ms' },
  { file: 'vector-search.ts', args: [], title: 'memory.search index: p50/p99 vs brute force', target: 'p99 under 10 ms at 10k memories with local' },
  { file: 'memory-search.ts', args: ['10000', '5'], title: 'memory.search at 10k memories: through the server vs ping, the local index vs an exact scan, Chroma per persona vs one filtered collection', target: 'at 100 sockets 2,000 calls/s and p99 under 20 ms; recall@10 at least 0.95; Chroma p99 under 10 ms' },
  { file: 'memory-rules.ts', args: [], title: 'Importance scoring and decay', target: 'scoring under 50 µs per message; decay of 100k memories under 1 s' },
  { file: 'instances.ts', args: [], title: 'Chat turns/s and p99 through 1, 2 and 3 instances on one PostgreSQL vs one on SQLite (issue 14 item 5; BENCH_SECONDS, BENCH_CLIENTS)', target: '3 instances at least 2x one; one PostgreSQL instance at least 0.7x SQLite' },
  { file: 'cold-start.ts', args: ['7'], title: 'Start-up to /health: compiled dist/ vs tsx (the baseline)', target: 'under 1 s on an existing data directory' },
].filter((s) => only.length === 0 || only.some((o) => s.file.startsWith(o)))

const loadAtStart = os.loadavg().map((l) => l.toFixed(1)).join(' / ')
const sections: string[] = []
for (const suite of suites) {
  process.stderr.write(`bench: ${suite.file} ...\n`)
  const started = Date.now()
  const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${suite.file}`, ...suite.args], {
    cwd: root, encoding: 'utf8', timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LOG_LEVEL: 'warn' },
  })
  const tables = (run.stdout ?? '').split('\n').filter((line) => /^[|#>]/.test(line) || line.trim() === '').join('\n').trim()
  const failed = run.status !== 0 ? `\n\n**did not finish** (exit ${run.status ?? run.signal}): ${(run.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}` : ''
  sections.push(`## ${suite.title}\n\nTarget: ${suite.target}. (${((Date.now() - started) / 1000).toFixed(0)} s)\n\n${tables}${failed}`)
}

const header = `# Benchmark results\n\n${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ` +
  `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average ${loadAtStart} at the start ` +
  '(other work on the machine slows every figure, baselines alike). Every figure sits beside a baseline measured in the same run; ' +
  'servers run with RATE_LIMITS=off and a MAX_CONNECTIONS above the load, everything else at defaults. Loopback only.\n'
const text = `${header}\n${sections.join('\n\n')}\n`
if (only.length === 0) writeFileSync(new URL('RESULTS.md', import.meta.url), text)
process.stdout.write(text)
