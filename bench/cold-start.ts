import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { fmt, tempDir } from './lib.ts'

// Time from spawning `persona-mcp serve` to the first 200 from /health: on a fresh data directory
// (database created and migrated) and again on the same one (warm), beside `node -e` as the baseline.

const root = fileURLToPath(new URL('..', import.meta.url))
const PORT = 18_000 + Math.floor(Math.random() * 1000)

async function timeUntilHealthy (dataDir: string): Promise<number> {
  const started = performance.now()
  const child = spawn(process.execPath, ['bin/persona-mcp.js', 'serve'], {
    cwd: root, env: { ...process.env, PORT: String(PORT), DATA_DIR: dataDir, LOG_LEVEL: 'warn', OLLAMA_HOST: 'http://127.0.0.1:9', VECTOR_STORE: 'local' }, stdio: 'ignore',
  })
  try {
    for (;;) {
      if (performance.now() - started > 30_000) throw new Error('server did not become healthy in 30 s')
      const ok = await fetch(`http://127.0.0.1:${PORT}/health`).then((r) => r.ok, () => false)
      if (ok) return performance.now() - started
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
}

async function nodeBaseline (): Promise<number> {
  const started = performance.now()
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' })
  await new Promise((resolve) => child.once('exit', resolve))
  return performance.now() - started
}

const dir = tempDir('bench-cold-')
const baseline = await nodeBaseline()
const cold = await timeUntilHealthy(dir)
const warm = await timeUntilHealthy(dir)
process.stdout.write([
  '| start | ms | vs bare node |', '|---|---|---|',
  `| bare \`node -e 0\` | ${fmt(baseline, 0)} | 1.00x |`,
  `| fresh data dir (create + migrate) | ${fmt(cold, 0)} | ${fmt(cold / baseline)}x |`,
  `| existing data dir | ${fmt(warm, 0)} | ${fmt(warm / baseline)}x |`,
].join('\n') + '\n')
