import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BUNDLE = join(ROOT, 'console/dist/app.js')

const newest = (dir: string): number => readdirSync(dir).reduce((latest, name) => {
  const path = join(dir, name)
  const stat = statSync(path)
  return Math.max(latest, stat.isDirectory() ? newest(path) : stat.mtimeMs)
}, 0)

/**
 * Builds the console (scripts/build-console.mjs, as postinstall does) when its bundle is missing or
 * older than its sources, so the tests always serve what console/ says.
 */
export function ensureConsoleBuilt (): void {
  const sources = Math.max(newest(join(ROOT, 'console/src')), statSync(join(ROOT, 'console/style.css')).mtimeMs, statSync(join(ROOT, 'console/index.html')).mtimeMs)
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= sources) return
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build-console.mjs')], { cwd: ROOT, encoding: 'utf8' })
  if (built.status !== 0) throw new Error(`the console build failed: ${built.stderr}`)
}
