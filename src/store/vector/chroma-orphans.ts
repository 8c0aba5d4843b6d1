import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

// A bundled Chroma left behind on our data directory (its server was killed before it could stop it, or it was
// started by hand) would hold the directory beside the new one: a start finds such processes and stops them.

/** What a running bundled Chroma records in its data directory. */
export interface ChromaPidFile {
  /** the Chroma server itself */
  pid: number
  port: number
  /** the server process that started it */
  owner: number
}

const PID_FILE = 'chroma.pid'
const STOP_WAIT_MS = 5_000

export const pidFilePath = (dir: string) => path.join(dir, PID_FILE)

export function readPidFile (dir: string): ChromaPidFile | undefined {
  try {
    const data = JSON.parse(readFileSync(pidFilePath(dir), 'utf8')) as Partial<ChromaPidFile>
    return Number.isInteger(data.pid) && Number.isInteger(data.port) && Number.isInteger(data.owner) ? data as ChromaPidFile : undefined
  } catch {
    return undefined
  }
}

export const writePidFile = (dir: string, data: ChromaPidFile) => writeFileSync(pidFilePath(dir), JSON.stringify(data) + '\n')
export const removePidFile = (dir: string) => rmSync(pidFilePath(dir), { force: true })

export function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const cmdline = (pid: number): string[] => {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean) } catch { return [] }
}

/** alive and not a zombie waiting to be reaped (a zombie's command line is empty) */
const running = (pid: number) => alive(pid) && (process.platform !== 'linux' || cmdline(pid).length > 0)

/** Processes whose command line runs the chromadb CLI on `dir` (Linux: read from /proc; elsewhere none are found). */
export function chromaProcessesOn (dir: string): number[] {
  if (process.platform !== 'linux') return []
  const found: number[] = []
  for (const name of readdirSync('/proc')) {
    const pid = Number(name)
    if (!Number.isInteger(pid) || pid === process.pid) continue
    const args = cmdline(pid)
    const at = args.indexOf('--path')
    if (at !== -1 && args[at + 1] === dir && args.includes('run') && args.some((a) => a.includes('chromadb'))) found.push(pid)
  }
  return found
}

/**
 * Stops every bundled Chroma on `dir` that no live server owns. A Chroma whose owner (another server
 * process on the same data directory) is still running is not ours to stop: that start fails instead.
 */
export async function stopOrphans (dir: string, log: { warn (obj: object, msg?: string): void }): Promise<number> {
  const recorded = readPidFile(dir)
  if (recorded && recorded.owner !== process.pid && alive(recorded.owner) && alive(recorded.pid) && chromaProcessesOn(dir).includes(recorded.pid)) {
    throw new Error(`the data directory ${dir} is in use by the Chroma of server process ${recorded.owner}`)
  }
  const pids = new Set(chromaProcessesOn(dir))
  // without /proc, a recorded pid is trusted only while the pid file's owner is gone
  if (recorded && process.platform !== 'linux' && alive(recorded.pid)) pids.add(recorded.pid)
  if (pids.size > 0) {
    log.warn({ dataDir: dir, pids: [...pids] }, 'stopping a bundled Chroma left running on this data directory')
    for (const pid of pids) signal(pid, 'SIGTERM')
    const deadline = Date.now() + STOP_WAIT_MS
    while ([...pids].some(running) && Date.now() < deadline) await sleep(50)
    for (const pid of pids) if (running(pid)) signal(pid, 'SIGKILL')
    while ([...pids].some(running) && Date.now() < deadline + STOP_WAIT_MS) await sleep(50)
  }
  removePidFile(dir)
  return pids.size
}

function signal (pid: number, name: NodeJS.Signals): void {
  try { process.kill(pid, name) } catch { /* already gone */ }
}
