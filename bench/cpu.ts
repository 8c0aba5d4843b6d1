import { readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'

// CPU time over a benchmark window, from /proc (Linux): the whole machine's busy share, and the seconds
// spent by given processes and their children (a PostgreSQL cluster forks one backend per connection).
// With client, servers and database on the same few cores, this tells whether the cores were the limit.

const TICKS_PER_SECOND = 100 // USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK)

interface Proc { pid: number, ppid: number, ticks: number }

function readProc (pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name may hold spaces and parentheses: fields are counted after its last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }
  } catch {
    return undefined // it ended in between
  }
}

const allProcs = (): Proc[] => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => readProc(Number(name))).filter((p): p is Proc => p !== undefined)

/** Ticks of each of `roots` and every descendant, by pid. */
function treeTicks (roots: number[]): Map<number, number> {
  const procs = allProcs()
  const inTree = new Set(roots)
  for (let grew = true; grew;) {
    grew = false
    for (const p of procs) if (!inTree.has(p.pid) && inTree.has(p.ppid)) { inTree.add(p.pid); grew = true }
  }
  return new Map(procs.filter((p) => inTree.has(p.pid)).map((p) => [p.pid, p.ticks]))
}

function machineTicks (): { busy: number, total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/)
  const n = values.map(Number)
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0) // user nice system idle iowait irq softirq steal
  return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), total }
}

export interface CpuWindow {
  /** CPU seconds of each group of process trees since start() */
  stop (): { seconds: number, machineBusy: number, groups: Record<string, number> }
}

/** Starts counting; `groups` names the root pids of each group (a process started later under a root counts in full). */
export function cpuWindow (groups: Record<string, number[]>): CpuWindow {
  const started = performance.now()
  const machine = machineTicks()
  const before = Object.fromEntries(Object.entries(groups).map(([name, roots]) => [name, treeTicks(roots)]))
  return {
    stop () {
      const seconds = (performance.now() - started) / 1000
      const now = machineTicks()
      const spent = Object.fromEntries(Object.entries(groups).map(([name, roots]) => {
        let ticks = 0
        for (const [pid, t] of treeTicks(roots)) ticks += t - (before[name]?.get(pid) ?? 0)
        return [name, ticks / TICKS_PER_SECOND]
      }))
      return { seconds, machineBusy: (now.busy - machine.busy) / Math.max(1, now.total - machine.total), groups: spent }
    },
  }
}

export const cores = () => os.cpus().length

/** Pids whose command line (arguments joined by spaces) matches, e.g. a PostgreSQL postmaster by its port. */
export function pidsMatching (pattern: RegExp): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try { return pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')) } catch { return false }
  })
}
