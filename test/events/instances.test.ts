import t from 'tap'
import { trackInstances } from '../../src/events/instances.ts'
import type { ClusterMessage } from '../../src/events/cluster.ts'

// The count of live instances the rate limiter divides per-key rules by: a silent peer is gone after three
// of its heartbeats, unless this instance cannot hear the channel, when silence proves nothing.

t.test('a silent peer is forgotten after three of its heartbeats, but not while this instance is deaf', async (t) => {
  let now = 0
  let hears = true
  const sent: ClusterMessage[] = []
  const asked: number[] = []
  const tracker = trackInstances({
    id: 'me', publish: (m) => { sent.push(m) }, heartbeatMs: 1000, now: () => now,
    hearing: (withinMs) => { asked.push(withinMs); return hears },
  })
  t.teardown(() => tracker.stop())
  tracker.receive({ kind: 'instance', id: 'peer', everyMs: 100 })
  t.equal(tracker.count(), 2)
  t.equal(asked.at(-1), 3000, 'deafness judged over three of this instance\'s own heartbeats')
  now = 250
  t.equal(tracker.count(), 2, 'silent for less than three of its heartbeats')

  hears = false
  now = 10_000
  t.equal(tracker.count(), 2, 'deaf: the peer is still counted, the per-key share stays divided')
  hears = true
  t.equal(tracker.count(), 1, 'hearing again, and the peer still silent: gone')

  tracker.receive({ kind: 'instance', id: 'peer', everyMs: 100 })
  tracker.receive({ kind: 'instance', id: 'other', everyMs: 100 })
  t.equal(tracker.count(), 3)
  tracker.receive({ kind: 'instance', id: 'other', leaving: true })
  t.equal(tracker.count(), 2, 'one that says it leaves is forgotten at once')
})
