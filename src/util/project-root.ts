import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The project's root folder (package.json, prisma/, node_modules/), found from the sources (src/util/) and from
 * the compiled build (dist/src/util/) alike: files beside the code must not be addressed by a fixed `../..`.
 */
export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)))

function findRoot (start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`)
  }
}
