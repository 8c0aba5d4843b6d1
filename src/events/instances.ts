// Who else is on the database: every instance announces itself on the cluster channel every few seconds,
// and once more when it hears from one it did not know, so a newcomer counts the others within a round
// trip instead of a heartbeat. One not heard from for three of its announcements (each says how often it
// announces) is gone (killed, cut off); one that closes says so and is forgotten at once. While this
// instance cannot hear the channel (its listener lost or deaf: its own announcements do not come back),
// silence proves nothing, so it keeps counting the peers it knew: per-key rate limits stay divided.
import type { ClusterMessage } from './cluster.ts'

export const INSTANCE_KIND = 'instance'
/** announcements an instance may miss before the others count it gone */
const MISSED = 3

export interface InstanceTrackerOptions {
  /** this instance's id on the channel */
  id: string
  publish (message: ClusterMessage): Promise<void> | void
  heartbeatMs?: number
  /** whether this instance hears the channel, judged over the last `withinMs` (absent: always) */
  hearing?: (withinMs: number) => boolean
  now?: () => number
}

export function trackInstances ({ id, publish, heartbeatMs = 5000, hearing, now = Date.now }: InstanceTrackerOptions) {
  /** peer id -> when it was last heard from, and when it counts as gone */
  const peers = new Map<string, { at: number, goneAfterMs: number }>()
  const announce = (leaving = false) => publish({ kind: INSTANCE_KIND, id, everyMs: heartbeatMs, ...(leaving ? { leaving: true } : {}) })
  void announce()
  // the announcements alone must not keep a process alive
  const timer = setInterval(() => { void announce() }, heartbeatMs)
  timer.unref()

  return {
    /** every cluster message goes through here; only announcements are looked at */
    receive (message: ClusterMessage): void {
      if (message.kind !== INSTANCE_KIND || typeof message.id !== 'string' || message.id === id) return
      if (message.leaving === true) { peers.delete(message.id); return }
      const known = peers.has(message.id)
      const everyMs = typeof message.everyMs === 'number' && message.everyMs > 0 ? message.everyMs : heartbeatMs
      peers.set(message.id, { at: now(), goneAfterMs: MISSED * everyMs })
      if (!known) void announce()
    },
    /** announces now, off the beat (the channel is back: the others may have counted this one gone) */
    announce (): void { void announce() },
    /** live instances, this one included */
    count (): number {
      if (hearing !== undefined && !hearing(MISSED * heartbeatMs)) return 1 + peers.size
      const at = now()
      let live = 1
      for (const [peer, heard] of peers) {
        if (at - heard.at <= heard.goneAfterMs) live++
        else peers.delete(peer)
      }
      return live
    },
    /** stops announcing and tells the others this instance is leaving */
    async stop (): Promise<void> {
      clearInterval(timer)
      peers.clear()
      await announce(true)
    },
  }
}

export type InstanceTracker = ReturnType<typeof trackInstances>
