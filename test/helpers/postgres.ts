// A throwaway PostgreSQL cluster for a test file: Debian's PostgreSQL 15 binaries, a temporary data
// directory, a free port, trust authentication on loopback only. PostgreSQL refuses to run as root, so
// when we are root it runs as the `postgres` user (CI runs as root; /work/shared/recipes has the recipe).
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { freePort } from '../../src/store/vector/chroma-process.ts'
import { onProcessExit } from './exit-hook.ts'

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

export interface Postgres {
  /** postgresql://postgres@127.0.0.1:PORT/ */
  baseUrl: string
  /** a fresh, empty database on the cluster; its URL */
  createDatabase (): Promise<string>
  stop (): void
}

/** Why no cluster can be started here, or undefined when one can. */
export function postgresUnavailable (): string | undefined {
  if (!existsSync(path.join(PG_BIN, 'initdb'))) return `no PostgreSQL at ${PG_BIN} (apt-get install postgresql-15; CI installs it)`
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root and there is no postgres user'
  return undefined
}

/** Starts a cluster; stop it in a teardown. Throws when it cannot start (check postgresUnavailable first). */
export async function startPostgres (): Promise<Postgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pmcp-pg-'))
  const asRoot = process.getuid?.() === 0
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()))
  const run = (bin: string, args: string[]) => {
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args]] : [path.join(PG_BIN, bin), args]
    execFileSync(command as string, argv as string[], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', LANG: 'C.UTF-8' } })
  }
  const data = path.join(dir, 'data')
  const port = await freePort()
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'])
  run('pg_ctl', ['-D', data, '-l', path.join(dir, 'pg.log'), '-w', 'start', '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`])
  const baseUrl = `postgresql://postgres@127.0.0.1:${port}/`
  let next = 0
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    unhook()
    try { run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']) } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
  // a test process ended early (an uncaught error, process.exit) must not leave its cluster running
  const unhook = onProcessExit(stop)
  return {
    baseUrl,
    async createDatabase () {
      const name = `persona_${process.pid}_${++next}`
      const client = new pg.Client({ connectionString: `${baseUrl}postgres` })
      await client.connect()
      try { await client.query(`CREATE DATABASE "${name}"`) } finally { await client.end() }
      return `${baseUrl}${name}`
    },
    stop,
  }
}
