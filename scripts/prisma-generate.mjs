// Runs `prisma generate` without letting the Prisma CLI download its native schema engine
// (it cannot be fetched on offline machines, and `generate` does not need it).
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
if (!existsSync(new URL('../prisma/schema.prisma', import.meta.url))) process.exit(0)
const env = { ...process.env }
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath
env.PRISMA_HIDE_UPDATE_MESSAGE = '1'
const result = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], { cwd: root, env, stdio: 'inherit' })
process.exit(result.status ?? 1)
