import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fmt, tempDir } from './lib.ts'

// Time from spawning the server to its first 200 from /health: the compiled server as `npm start` runs it
// (bin/persona-mcp.js -> dist/), beside the same sources run through tsx (what it did before) and `node -e 0`.
// Each start also reports the CPU time the process had used by then (less noisy than the wall clock on a busy
// machine) and, from its `started` log line, where the time went: node plus imports, the plugins, the listen.

const root = fileURLToPath(new URL('..', import.meta.url))
const RUNS = Number(process.argv[2] ?? 7)
const COMMANDS = {
  compiled: ['bin/persona-mcp.js', 'serve'],
  tsx: ['--import', 'tsx', 'src/server.ts', 'serve'],
}

interface Start { wallMs: number, cpuMs: number, phases?: { imports: number, build: number, listen: number } }

/** user + system time of a running process, from /proc (Linux; NaN elsewhere). */
function cpuMs (pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // utime, stime in clock ticks of 1/100 s
  } catch { return Number.NaN }
}

async function start (args: string[], dataDir: string, vectorStore = 'local'): Promise<Start> {
  const port = 18_000 + Math.floor(Math.random() * 2000)
  const started = performance.now()
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', OLLAMA_HOST: 'http://127.0.0.1:9', VECTOR_STORE: vectorStore },
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  try {
    for (;;) {
      if (performance.now() - started > 60_000) throw new Error(`server did not become healthy in 60 s: ${out.slice(-300)}`)
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${out.slice(-300)}`)
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)
      if (ok) {
        const wallMs = performance.now() - started
        const cpu = cpuMs(child.pid as number)
        const line = out.split('\n').find((l) => l.includes('"startup_ms"'))
        return { wallMs, cpuMs: cpu, phases: line === undefined ? undefined : JSON.parse(line).startup_ms }
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
}

async function bareNode (): Promise<number> {
  const started = performance.now()
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' })
  await new Promise((resolve) => child.once('exit', resolve))
  return performance.now() - started
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
const min = (values: number[]) => Math.min(...values)

// dist/ as `npm start` finds it: built beforehand, so no run below includes a build
const built = spawnSync(process.execPath, ['-e', 'import("./bin/build.js").then((m) => m.ensureBuilt())'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
if (built.status !== 0) throw new Error('could not build dist/')

const dir = tempDir('bench-cold-')
const fresh = await start(COMMANDS.compiled, dir)
await start(COMMANDS.tsx, dir) // tsx keeps a cache of what it compiled: the runs below find it warm
const bare: number[] = []
const runs: Record<keyof typeof COMMANDS | 'chroma', Start[]> = { compiled: [], tsx: [], chroma: [] }
for (let i = 0; i < RUNS; i++) {
  bare.push(await bareNode())
  // alternated, so a busy moment of the machine falls on both
  runs.compiled.push(await start(COMMANDS.compiled, dir))
  runs.tsx.push(await start(COMMANDS.tsx, dir))
  // the default index: the bundled Chroma server, which start-up waits for
  if (i < 3) runs.chroma.push(await start(COMMANDS.compiled, dir, 'chroma'))
}

const baseline = median(bare)
const row = (name: string, list: Start[]) => {
  const wall = list.map((s) => s.wallMs)
  const phase = (k: 'imports' | 'build' | 'listen') => fmt(median(list.map((s) => s.phases?.[k] ?? Number.NaN)), 0)
  return `| ${name} | **${fmt(median(wall), 0)}** | ${fmt(min(wall), 0)} | ${fmt(median(list.map((s) => s.cpuMs)), 0)} | ${phase('imports')} / ${phase('build')} / ${phase('listen')} | ${fmt(median(wall) / baseline)}x |`
}
process.stdout.write([
  `> ${RUNS} starts each, alternated; existing data directory unless said; VECTOR_STORE=local unless said, no Ollama.`, '',
  '| start | wall ms, median | wall ms, min | CPU ms at /health | node+imports / plugins / listen, ms | vs bare node |', '|---|---|---|---|---|---|',
  `| bare \`node -e 0\` (baseline) | ${fmt(baseline, 0)} | ${fmt(min(bare), 0)} | | | 1.00x |`,
  row('tsx, the same sources as TypeScript at run time (baseline)', runs.tsx),
  row('compiled dist/ (`npm start`)', runs.compiled),
  row('compiled, fresh data dir (create + migrate), 1 run', [fresh]),
  row(`compiled, VECTOR_STORE=chroma (the default: bundled Chroma started first), ${runs.chroma.length} runs`, runs.chroma),
].join('\n') + '\n')
